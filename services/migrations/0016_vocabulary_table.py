"""The catalogue's words in a table, kept exact by a trigger (PostgreSQL only).

services.vocabulary used to count the words of every live service after each cache clear or
version change: seconds at 100k services. Statement-level triggers with transition tables
now apply each write's difference (words of rows that stop being live or change go out,
words of rows that are live now come in) in one statement per write statement, so bulk
writes (QuerySet.update, bulk_create, COPY) stay exact too. The words are the ones
services.text.WORD_RE finds ([0-9a-z]+) in the stored, already normalised search columns,
joined with spaces; the live statuses are services.models.LIVE_STATUSES. Rows are upserted
in word order, so concurrent writers lock them in the same order. On SQLite the table is
created but stays empty (the words are collected from the services there).
"""

from django.db import migrations, models

LIVE = "('published', 'temporarily_closed')"  # services.models.LIVE_STATUSES

FORWARD = f"""
CREATE OR REPLACE FUNCTION services_vocabulary_words(a text, b text, c text, d text)
RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
    SELECT m[1] FROM regexp_matches(concat_ws(' ', a, b, c, d), '[0-9a-z]+', 'g') AS m
$$;

CREATE OR REPLACE FUNCTION services_vocabulary_apply() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO services_vocabularyword AS v (word, count)
        SELECT w, count(*) FROM new_rows n,
            services_vocabulary_words(n.search_name, n.search_summary, n.search_body,
                                      n.search_extra) AS w
        WHERE n.status IN {LIVE}
        GROUP BY w ORDER BY w
        ON CONFLICT (word) DO UPDATE SET count = v.count + EXCLUDED.count;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO services_vocabularyword AS v (word, count)
        SELECT w, -count(*) FROM old_rows o,
            services_vocabulary_words(o.search_name, o.search_summary, o.search_body,
                                      o.search_extra) AS w
        WHERE o.status IN {LIVE}
        GROUP BY w ORDER BY w
        ON CONFLICT (word) DO UPDATE SET count = v.count + EXCLUDED.count;
        DELETE FROM services_vocabularyword WHERE count <= 0;
    ELSE
        INSERT INTO services_vocabularyword AS v (word, count)
        SELECT w, sum(d) FROM (
            SELECT w, -1 AS d
            FROM old_rows o JOIN new_rows n ON n.id = o.id,
                services_vocabulary_words(o.search_name, o.search_summary, o.search_body,
                                          o.search_extra) AS w
            WHERE o.status IN {LIVE}
              AND (o.status, o.search_name, o.search_summary, o.search_body, o.search_extra)
                  IS DISTINCT FROM
                  (n.status, n.search_name, n.search_summary, n.search_body, n.search_extra)
            UNION ALL
            SELECT w, 1 AS d
            FROM old_rows o JOIN new_rows n ON n.id = o.id,
                services_vocabulary_words(n.search_name, n.search_summary, n.search_body,
                                          n.search_extra) AS w
            WHERE n.status IN {LIVE}
              AND (o.status, o.search_name, o.search_summary, o.search_body, o.search_extra)
                  IS DISTINCT FROM
                  (n.status, n.search_name, n.search_summary, n.search_body, n.search_extra)
        ) AS delta
        GROUP BY w HAVING sum(d) <> 0 ORDER BY w
        ON CONFLICT (word) DO UPDATE SET count = v.count + EXCLUDED.count;
        DELETE FROM services_vocabularyword WHERE count <= 0;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER services_vocabulary_insert AFTER INSERT ON services_service
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION services_vocabulary_apply();
CREATE TRIGGER services_vocabulary_update AFTER UPDATE ON services_service
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION services_vocabulary_apply();
CREATE TRIGGER services_vocabulary_delete AFTER DELETE ON services_service
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION services_vocabulary_apply();

INSERT INTO services_vocabularyword (word, count)
SELECT w, count(*) FROM services_service s,
    services_vocabulary_words(s.search_name, s.search_summary, s.search_body,
                              s.search_extra) AS w
WHERE s.status IN {LIVE}
GROUP BY w;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS services_vocabulary_insert ON services_service;
DROP TRIGGER IF EXISTS services_vocabulary_update ON services_service;
DROP TRIGGER IF EXISTS services_vocabulary_delete ON services_service;
DROP FUNCTION IF EXISTS services_vocabulary_apply();
DROP FUNCTION IF EXISTS services_vocabulary_words(text, text, text, text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0015_taxonomy_english"),
    ]

    operations = [
        migrations.CreateModel(
            name="VocabularyWord",
            fields=[
                ("word", models.TextField(primary_key=True, serialize=False)),
                ("count", models.IntegerField()),
            ],
            options={
                "verbose_name": "woord van de catalogus",
                "verbose_name_plural": "woorden van de catalogus",
            },
        ),
        migrations.RunPython(forward, backward),
    ]
