"""Each service's terms, municipalities and opening periods in one row, kept exact by
triggers (PostgreSQL only; see services.models.ServiceFacets).

Statement-level triggers with transition tables, as in 0016 and 0017: every statement that
adds, changes or removes rows of a link table, a location or an opening period rewrites the
rows of the services it touched (before and after the change), from the tables themselves.
A new service gets its row; a deleted one loses it. Django removes a service's links,
periods and locations before the service itself; a refresh of a service that no longer
exists writes nothing. On SQLite the table stays empty.
"""

from django.db import migrations, models

# (link table, its term column, the key in doc): services.filters reads these keys.
LINKS = [
    ("services_service_target_groups", "targetgroup_id", "target_groups"),
    ("services_service_support_types", "supporttype_id", "support_types"),
    ("services_service_themes", "theme_id", "themes"),
    ("services_service_languages", "language_id", "languages"),
    ("services_service_municipalities", "municipality_id", "municipalities"),
]

TERMS = ",\n        ".join(
    f"'{key}', ARRAY(SELECT t.{column} FROM {table} t WHERE t.service_id = s.id ORDER BY 1)"
    for table, column, key in LINKS
)

REFRESH = f"""
CREATE OR REPLACE FUNCTION services_facets_refresh(ids bigint[]) RETURNS void AS $$
    INSERT INTO services_servicefacets AS f (service_id, doc)
    SELECT s.id, jsonb_build_object(
        {TERMS},
        'periods', COALESCE((
            SELECT jsonb_agg(jsonb_build_array(
                p.weekday, extract(epoch FROM p.opens), extract(epoch FROM p.closes)
            ) ORDER BY p.id)
            FROM services_openingperiod p JOIN services_location l ON l.id = p.location_id
            WHERE l.service_id = s.id
        ), '[]'::jsonb)
    )
    FROM services_service s WHERE s.id = ANY(ids) ORDER BY s.id
    ON CONFLICT (service_id) DO UPDATE SET doc = EXCLUDED.doc;
$$ LANGUAGE sql;

-- Rows with a service_id (the link tables and locations).
CREATE OR REPLACE FUNCTION services_facets_rows_apply() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM services_facets_refresh(ARRAY(SELECT DISTINCT service_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM services_facets_refresh(ARRAY(SELECT DISTINCT service_id FROM old_rows));
    ELSE
        PERFORM services_facets_refresh(ARRAY(
            SELECT service_id FROM new_rows UNION SELECT service_id FROM old_rows
        ));
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- Opening periods: their services through the location (before and after a move).
CREATE OR REPLACE FUNCTION services_facets_periods_apply() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM services_facets_refresh(ARRAY(
            SELECT DISTINCT l.service_id FROM new_rows n
            JOIN services_location l ON l.id = n.location_id
        ));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM services_facets_refresh(ARRAY(
            SELECT DISTINCT l.service_id FROM old_rows o
            JOIN services_location l ON l.id = o.location_id
        ));
    ELSE
        PERFORM services_facets_refresh(ARRAY(
            SELECT l.service_id FROM services_location l
            WHERE l.id IN (SELECT location_id FROM new_rows UNION SELECT location_id FROM old_rows)
        ));
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION services_facets_services_apply() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM services_facets_refresh(ARRAY(SELECT id FROM new_rows));
    ELSE
        DELETE FROM services_servicefacets WHERE service_id IN (SELECT id FROM old_rows);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def _triggers(table, function, prefix):
    return f"""
CREATE TRIGGER {prefix}_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {prefix}_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {prefix}_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""


TABLES = [(table, "services_facets_rows_apply") for table, _c, _k in LINKS] + [
    ("services_location", "services_facets_rows_apply"),
    ("services_openingperiod", "services_facets_periods_apply"),
]

FORWARD = (
    REFRESH
    + "".join(_triggers(table, function, f"{table}_facets") for table, function in TABLES)
    + """
CREATE TRIGGER services_service_facets_insert AFTER INSERT ON services_service
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION services_facets_services_apply();
CREATE TRIGGER services_service_facets_delete AFTER DELETE ON services_service
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION services_facets_services_apply();
SELECT services_facets_refresh(ARRAY(SELECT id FROM services_service));
"""
)

BACKWARD = (
    "".join(
        f"DROP TRIGGER IF EXISTS {table}_facets_{event} ON {table};\n"
        for table, _function in TABLES
        for event in ("insert", "update", "delete")
    )
    + """
DROP TRIGGER IF EXISTS services_service_facets_insert ON services_service;
DROP TRIGGER IF EXISTS services_service_facets_delete ON services_service;
DROP FUNCTION IF EXISTS services_facets_rows_apply();
DROP FUNCTION IF EXISTS services_facets_periods_apply();
DROP FUNCTION IF EXISTS services_facets_services_apply();
DROP FUNCTION IF EXISTS services_facets_refresh(bigint[]);
"""
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0017_municipality_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="ServiceFacets",
            fields=[
                ("service_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("doc", models.JSONField()),
            ],
            options={
                "verbose_name": "feiten van een dienst voor de filters",
                "verbose_name_plural": "feiten van diensten voor de filters",
            },
        ),
        migrations.RunPython(forward, backward),
    ]
