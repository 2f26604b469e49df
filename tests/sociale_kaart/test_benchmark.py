"""manage.py benchmark runs end to end on a small catalogue, and its service-page line
shows what the page cache keeps after edits elsewhere."""

import io
import re

from django.core.management import call_command

from tests.factories import make_municipality, make_service


def test_the_benchmark_runs_and_edits_elsewhere_leave_service_pages_kept(db, settings):
    settings.PAGE_CACHE_SECONDS = 60
    home = make_municipality("Voorbeeldstad")
    settings.DEFAULT_MUNICIPALITY = home.slug
    elsewhere = [make_municipality(f"Elders {n}") for n in range(3)]
    for n in range(4):
        make_service(f"Koffieochtend {n}", municipalities=[home])
    make_service("Landelijke luisterlijn")
    for place in elsewhere:
        make_service(f"Breicafe {place.name}", municipalities=[place])
    out = io.StringIO()
    call_command(
        "benchmark",
        services=0,
        no_seed=True,
        requests=1,
        warmup=0,
        no_quality=True,
        no_phonedesk=True,
        stdout=out,
    )
    printed = out.getvalue()
    assert re.search(r"^catalogue: empty\s+5\s", printed, re.M), printed
    kept = re.search(r"after edits in 3 other municipalities: (\d+) of (\d+)", printed)
    assert kept and kept.groups() == ("5", "5"), printed
