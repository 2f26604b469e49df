"""The ServiceFacets triggers read by index, whatever the planner's statistics say.

During a bulk load (seed_synthetic, an HSDS or CSV import) the tables grow faster than
autovacuum analyses them. With statistics from when the tables were small, the planner read
the opening periods of each refreshed service with a sequential scan of the whole table:
refreshing 2,000 services at 42,000 took 9.5 s (66 ms by index), and seeding 100,000
services slowed down with every batch. The refresh only ever reads a few rows per service,
so the functions turn sequential scans off for their own statements (a function's SET
clause; it ends with the call). Transition tables have no index and are still scanned.
"""

from django.db import migrations

FUNCTIONS = [
    "services_facets_refresh(bigint[])",
    "services_facets_rows_apply()",
    "services_facets_periods_apply()",
    "services_facets_services_apply()",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for function in FUNCTIONS:
            schema_editor.execute(f"ALTER FUNCTION {function} SET enable_seqscan = off")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for function in FUNCTIONS:
            schema_editor.execute(f"ALTER FUNCTION {function} RESET enable_seqscan")


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0018_service_facets"),
    ]

    operations = [migrations.RunPython(forward, backward)]
