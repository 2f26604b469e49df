"""Each municipality's number of live services in a table, kept exact by triggers
(PostgreSQL only; see services.models.MunicipalityCount).

Statement-level triggers with transition tables: a row added to or removed from the
service-municipality table counts when its service is live; a service whose status moves
into or out of the live statuses (services.models.LIVE_STATUSES) adds or removes one for
each of its municipalities. Django removes a service's municipality rows before the service
itself, so a deleted live service is subtracted there. On SQLite the table stays empty.
"""

from django.db import migrations, models

LIVE = "('published', 'temporarily_closed')"  # services.models.LIVE_STATUSES

FORWARD = f"""
CREATE OR REPLACE FUNCTION services_municipality_links_apply() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO services_municipalitycount AS c (municipality_id, live_services)
        SELECT n.municipality_id, count(*) FROM new_links n
        JOIN services_service s ON s.id = n.service_id AND s.status IN {LIVE}
        GROUP BY n.municipality_id ORDER BY n.municipality_id
        ON CONFLICT (municipality_id) DO UPDATE
            SET live_services = c.live_services + EXCLUDED.live_services;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO services_municipalitycount AS c (municipality_id, live_services)
        SELECT o.municipality_id, -count(*) FROM old_links o
        JOIN services_service s ON s.id = o.service_id AND s.status IN {LIVE}
        GROUP BY o.municipality_id ORDER BY o.municipality_id
        ON CONFLICT (municipality_id) DO UPDATE
            SET live_services = c.live_services + EXCLUDED.live_services;
        DELETE FROM services_municipalitycount WHERE live_services <= 0;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION services_municipality_status_apply() RETURNS trigger AS $$
BEGIN
    INSERT INTO services_municipalitycount AS c (municipality_id, live_services)
    SELECT l.municipality_id,
           sum(CASE WHEN n.status IN {LIVE} THEN 1 ELSE -1 END)
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    JOIN services_service_municipalities l ON l.service_id = n.id
    WHERE (o.status IN {LIVE}) <> (n.status IN {LIVE})
    GROUP BY l.municipality_id ORDER BY l.municipality_id
    ON CONFLICT (municipality_id) DO UPDATE
        SET live_services = c.live_services + EXCLUDED.live_services;
    DELETE FROM services_municipalitycount WHERE live_services <= 0;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER services_municipality_links_insert AFTER INSERT
    ON services_service_municipalities REFERENCING NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION services_municipality_links_apply();
CREATE TRIGGER services_municipality_links_update AFTER UPDATE
    ON services_service_municipalities REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION services_municipality_links_apply();
CREATE TRIGGER services_municipality_links_delete AFTER DELETE
    ON services_service_municipalities REFERENCING OLD TABLE AS old_links
    FOR EACH STATEMENT EXECUTE FUNCTION services_municipality_links_apply();
CREATE TRIGGER services_municipality_status_update AFTER UPDATE ON services_service
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION services_municipality_status_apply();

INSERT INTO services_municipalitycount (municipality_id, live_services)
SELECT l.municipality_id, count(*) FROM services_service_municipalities l
JOIN services_service s ON s.id = l.service_id AND s.status IN {LIVE}
GROUP BY l.municipality_id;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS services_municipality_links_insert ON services_service_municipalities;
DROP TRIGGER IF EXISTS services_municipality_links_update ON services_service_municipalities;
DROP TRIGGER IF EXISTS services_municipality_links_delete ON services_service_municipalities;
DROP TRIGGER IF EXISTS services_municipality_status_update ON services_service;
DROP FUNCTION IF EXISTS services_municipality_links_apply();
DROP FUNCTION IF EXISTS services_municipality_status_apply();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0016_vocabulary_table"),
    ]

    operations = [
        migrations.CreateModel(
            name="MunicipalityCount",
            fields=[
                ("municipality_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("live_services", models.IntegerField()),
            ],
            options={
                "verbose_name": "aantal diensten van een gemeente",
                "verbose_name_plural": "aantallen diensten van gemeenten",
            },
        ),
        migrations.RunPython(forward, backward),
    ]
