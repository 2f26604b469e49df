"""A stored UUID per service, organisation, location and taxonomy term (HSDS ids, issue 11).

Random per row, so two deployments never share an id; kept across edits and exports.
Existing rows get theirs here (one UUID each, not one default for all).
"""

import uuid

from django.db import migrations, models

MODELS = ["service", "organisation", "location", "targetgroup", "supporttype", "theme", "language"]


def fill(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("services", name)
        rows = list(model.objects.filter(uuid__isnull=True).only("pk"))
        for row in rows:
            row.uuid = uuid.uuid4()
        model.objects.bulk_update(rows, ["uuid"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("services", "0010_plain_choice_labels")]

    operations = [
        *[
            migrations.AddField(
                model_name=name,
                name="uuid",
                field=models.UUIDField(editable=False, null=True, verbose_name="UUID"),
            )
            for name in MODELS
        ],
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        *[
            migrations.AlterField(
                model_name=name,
                name="uuid",
                field=models.UUIDField(
                    default=uuid.uuid4, editable=False, unique=True, verbose_name="UUID"
                ),
            )
            for name in MODELS
        ],
    ]
