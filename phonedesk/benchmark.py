"""Server-side render time of the phone desk's live results, for the benchmark command.

    python manage.py shell --no-imports -c "from phonedesk import benchmark; benchmark.run()"

Posts searches to /telefoon/zoeken/ as htmx does (the results fragment), through the whole
Django stack with the test client, inside a transaction that is rolled back: the database
is left as it was. Prints p50/p95/max in milliseconds, the p50 of this process's CPU time
(time.process_time: the database's and Redis's work are not in it, nor other processes'
load on a shared machine) and the number of SQL queries.

The repeated requests of a case find its result cards in the shared cache (phonedesk.cards),
as a keystroke finds the cards of the one before; `cached_cards=False` reads and renders
every card each time (the first search after an edit in the municipality, or services
nobody showed since); with `kept_parts=True` as well, only each card's "Wanneer" is
rendered, the rest comes from the cache (the first search of a new minute):

    benchmark.run(requests=20, cached_cards=False)
    benchmark.run(requests=20, cached_cards=False, kept_parts=True)
"""

import statistics
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import request_started
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services import roles, versions
from services.models import Municipality

from . import cards

CASES = [
    ("two letters while typing", {"q": "ko"}),
    ("selective word", {"q": "imkeren"}),
    ("common word", {"q": "koffie"}),
    ("common word, caller 82", {"q": "koffie", "age": "82"}),
    ("two words", {"q": "maatje eenzaam"}),
    ("typo", {"q": "wandelgreop"}),
    ("word + toggles", {"q": "wandelen", "free": "on", "no_referral": "on", "at_home": "on"}),
    ("word, group only", {"q": "koffie", "format": "group"}),
]


class _Rollback(Exception):
    pass


def run(
    *,
    requests=100,
    warmup=5,
    municipality_slug=None,
    stdout=None,
    cached_cards=True,
    kept_parts=False,
):
    """Time each case; returns {case: (p50, p95, max, queries, cpu p50)}."""
    stdout = stdout or sys.stdout
    kept = cards.CARD_SECONDS, cards.SERVICE_SECONDS
    if not cached_cards:
        cards.CARD_SECONDS = 0  # stored and gone at once
        if not kept_parts:
            cards.SERVICE_SECONDS = 0  # not stored
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    figures = {}
    # Django empties the query log at each request start; keep it so queries can be counted.
    request_started.disconnect(reset_queries)
    try:
        with transaction.atomic():
            figures = _measure(requests, warmup, municipality_slug, stdout)
            raise _Rollback
    except _Rollback:
        pass
    finally:
        request_started.connect(reset_queries)
        cards.CARD_SECONDS, cards.SERVICE_SECONDS = kept
    return figures


def _cards_mode():
    if cards.CARD_SECONDS:
        return "cached"
    if cards.SERVICE_SECONDS:
        return "for a new minute (only 'Wanneer' rendered)"
    return "read and rendered every time"


def _measure(requests, warmup, municipality_slug, stdout):
    municipality = (
        Municipality.objects.filter(slug=municipality_slug or settings.DEFAULT_MUNICIPALITY).first()
        or Municipality.objects.order_by("pk").first()
    )
    if not cards.CARD_SECONDS and municipality:
        # New versions: no card kept by an earlier run is found (nor the municipality's
        # service ids, which the warm-up reads again).
        versions.bump([municipality.pk])
    user = get_user_model().objects.create_user(username="phonedesk-benchmark")
    user.groups.add(roles.ensure_groups()[roles.PHONE_DESK])
    client = Client()
    client.force_login(user)
    url = reverse("phonedesk:search")
    headers = {"HX-Request": "true"}
    stdout.write(
        f"phone desk results fragment, database {connection.vendor}, "
        f"municipality {municipality}, {requests} requests per case, "
        f"cards {_cards_mode()}\n"
    )
    stdout.write(
        f"{'case':<28}{'results':>8}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'cpu ms':>9}\n"
    )
    figures = {}
    for name, data in CASES:
        data = {"municipality": municipality.pk if municipality else "", **data}
        for _ in range(warmup):
            client.post(url, data, headers=headers)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, data, headers=headers)
        found = response.content.count(b'class="pd-result__link"')
        timings, cpu = [], []
        for _ in range(requests):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.post(url, data, headers=headers)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        timings.sort()
        cpu_p50 = statistics.median(cpu)
        p50 = statistics.median(timings)
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        figures[name] = (p50, p95, timings[-1], len(queries), cpu_p50)
        stdout.write(
            f"{name:<28}{found:>8}{len(queries):>8}{p50:>9.1f}{p95:>9.1f}{timings[-1]:>9.1f}"
            f"{cpu_p50:>9.1f}\n"
        )
    return figures
