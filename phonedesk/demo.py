"""Fictional phone-desk activity for the demo: a few weeks of calls and search counts.

Everything is invented and anonymous like the real log. Safe to run again: when calls are
already there it changes nothing.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from services.models import Municipality, Service, Theme

from . import actions
from .models import AgeBand, Call, Outcome, SearchTermCount

WEEKS = 6
CALLS_PER_WEEKDAY = (2, 6)
# What callers ask for that the demo catalogue lacks, and what it has.
MISSING = [
    "vervoer zondag",
    "dagbesteding weekend",
    "oppas hond",
    "maaltijd bezorgen",
    "kerkdienst thuis",
]
FOUND = ["maatje", "boodschappen", "wandelen", "taalles", "koffie", "rouw", "mantelzorg"]


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text)


@transaction.atomic
def load(*, stdout=None) -> dict:
    """Create the demo calls and search counts; returns {"calls": n, "search terms": n}."""
    if Call.objects.exists():
        _say(stdout, "Phone desk: calls already present, demo calls not added.")
        return {"calls": Call.objects.count(), "search terms": SearchTermCount.objects.count()}
    rng = random.Random(4)
    municipalities = list(Municipality.objects.order_by("name"))
    home = next((m for m in municipalities if m.slug == "voorbeeldstad"), None)
    themes = list(Theme.objects.all())
    today = timezone.localdate()
    made = 0
    cache = {}
    for days_ago in range(WEEKS * 7, 0, -1):
        day = today - datetime.timedelta(days=days_ago)
        if day.isoweekday() > 5:
            continue
        for _n in range(rng.randint(*CALLS_PER_WEEKDAY)):
            municipality = (
                home if home and rng.random() < 0.7 else rng.choice(municipalities or [None])
            )
            _demo_call(rng, day, municipality, themes, cache)
            made += 1
        place = home.pk if home else None
        for term in rng.sample(FOUND, 3):
            for n in range(rng.randint(1, 3)):
                actions.search_term_count(
                    query=term, found=True, municipality=place, first_in_call=n == 0, day=day
                )
        for term in rng.sample(MISSING, 2):
            actions.search_term_count(query=term, found=False, municipality=place, day=day)
    counts = {"calls": made, "search terms": SearchTermCount.objects.count()}
    _say(stdout, f"Phone desk: {made} demo calls and {counts['search terms']} search counts.")
    return counts


def _candidates(municipality, cache):
    key = municipality.pk if municipality else None
    if key not in cache:
        queryset = Service.objects.published()
        if municipality is None:
            queryset = queryset.filter(scope=Service.Scope.NATIONAL)
        else:
            queryset = queryset.for_municipality(municipality)
        cache[key] = list(queryset.order_by("pk")[:40])
    return cache[key]


def _demo_call(rng, day, municipality, themes, cache):
    candidates = _candidates(municipality, cache)
    services = rng.sample(candidates, min(len(candidates), 2))
    outcome = rng.choices(
        [Outcome.REFERRED, Outcome.NO_OFFER, Outcome.INFORMATION], weights=[6, 2, 2]
    )[0]
    if outcome == Outcome.REFERRED and not services:
        outcome = Outcome.NO_OFFER
    moment = timezone.make_aware(
        datetime.datetime.combine(
            day, datetime.time(rng.randint(9, 16), rng.choice([0, 15, 30, 45]))
        )
    )
    call = Call(
        started_at=moment,
        duration_minutes=rng.randint(3, 18),
        municipality=municipality,
        age_band=rng.choice(
            [band.value for band in AgeBand] + ["", AgeBand.FROM_75, AgeBand.FROM_85]
        ),
        outcome=outcome,
    )
    call.full_clean()
    call.save()
    call.themes.set(rng.sample(themes, min(len(themes), rng.randint(1, 2))))
    if outcome == Outcome.REFERRED:
        call.services.set(services[: rng.randint(1, 2)])
