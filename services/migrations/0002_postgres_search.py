"""PostgreSQL-only search machinery: pg_trgm, the tsvector trigger and the search indexes.

On SQLite this migration does nothing: search there matches the normalised text columns.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION services_service_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('dutch', coalesce(NEW.search_name, '')), 'A') ||
        setweight(to_tsvector('dutch', coalesce(NEW.search_summary, '')), 'B') ||
        setweight(to_tsvector('dutch', coalesce(NEW.search_body, '')), 'C') ||
        setweight(to_tsvector('dutch', coalesce(NEW.search_extra, '')), 'D');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS services_service_search_vector ON services_service;
CREATE TRIGGER services_service_search_vector
    BEFORE INSERT OR UPDATE ON services_service
    FOR EACH ROW EXECUTE FUNCTION services_service_search_vector();

UPDATE services_service SET search_name = search_name;

CREATE INDEX IF NOT EXISTS service_search_vector_gin
    ON services_service USING gin (search_vector);
CREATE INDEX IF NOT EXISTS service_search_name_trgm
    ON services_service USING gin (search_name gin_trgm_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS service_search_name_trgm;
DROP INDEX IF EXISTS service_search_vector_gin;
DROP TRIGGER IF EXISTS services_service_search_vector ON services_service;
DROP FUNCTION IF EXISTS services_service_search_vector();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(forward, backward),
    ]
