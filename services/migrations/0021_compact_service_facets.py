"""ServiceFacets.doc as a positional array: [target groups, support types, themes, languages,
municipalities, periods], times as plain seconds (services.models.ServiceFacets.FIELDS).

The catalogue reads the docs of every service in view (about 2,200 at 100k services) on
each new filter state. As an object with its keys written out and times as numerics
("34200.000000") the docs were 379 KB for one view and Python parsed them in 8 ms; as
arrays they are 124 KB and parse in under 5 ms, and PostgreSQL writes a third as much text.

The refresh also leaves a row alone when its doc is unchanged (an edit of a location's
name, say), so such writes leave no dead row behind. Sequential scans stay off for its
statements (0019); CREATE OR REPLACE would otherwise drop that setting.
"""

import importlib

from django.db import migrations

LINKS = [
    ("services_service_target_groups", "targetgroup_id"),
    ("services_service_support_types", "supporttype_id"),
    ("services_service_themes", "theme_id"),
    ("services_service_languages", "language_id"),
    ("services_service_municipalities", "municipality_id"),
]

TERMS = ",\n        ".join(
    f"to_jsonb(ARRAY(SELECT t.{column} FROM {table} t WHERE t.service_id = s.id ORDER BY 1))"
    for table, column in LINKS
)

REFRESH = f"""
CREATE OR REPLACE FUNCTION services_facets_refresh(ids bigint[]) RETURNS void AS $$
    INSERT INTO services_servicefacets AS f (service_id, doc)
    SELECT s.id, jsonb_build_array(
        {TERMS},
        COALESCE((
            SELECT jsonb_agg(jsonb_build_array(
                p.weekday,
                extract(epoch FROM p.opens)::float8,
                extract(epoch FROM p.closes)::float8
            ) ORDER BY p.id)
            FROM services_openingperiod p JOIN services_location l ON l.id = p.location_id
            WHERE l.service_id = s.id
        ), '[]'::jsonb)
    )
    FROM services_service s WHERE s.id = ANY(ids) ORDER BY s.id
    ON CONFLICT (service_id) DO UPDATE SET doc = EXCLUDED.doc
    WHERE f.doc IS DISTINCT FROM EXCLUDED.doc;
$$ LANGUAGE sql SET enable_seqscan = off;

SELECT services_facets_refresh(ARRAY(SELECT id FROM services_service));
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFRESH)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        earlier = importlib.import_module("services.migrations.0018_service_facets")
        schema_editor.execute(earlier.REFRESH)
        schema_editor.execute(
            "ALTER FUNCTION services_facets_refresh(bigint[]) SET enable_seqscan = off;"
            "SELECT services_facets_refresh(ARRAY(SELECT id FROM services_service));"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0020_service_scope_id"),
    ]

    operations = [migrations.RunPython(forward, backward)]
