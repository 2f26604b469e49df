"""Factories for coalition test data; every object is validated like the admin would."""

import datetime
import itertools
from decimal import Decimal

from coalitions.models import (
    Coalition,
    Commitment,
    Goal,
    Indicator,
    LonelinessFigure,
    Measurement,
    Membership,
)
from tests.factories import make_municipality, make_organisation

_counter = itertools.count(1)


def _saved(instance):
    instance.full_clean()
    instance.save()
    return instance


def make_coalition(name=None, *, municipality=None, coordinators=(), **kwargs):
    fields = {"name": name or f"Coalitie {next(_counter)}", "is_published": True, **kwargs}
    coalition = _saved(Coalition(municipality=municipality or make_municipality(), **fields))
    coalition.coordinators.set(coordinators)
    return coalition


def make_membership(coalition, organisation=None, **kwargs):
    return _saved(
        Membership(coalition=coalition, organisation=organisation or make_organisation(), **kwargs)
    )


def make_goal(coalition, title=None, **kwargs):
    return _saved(Goal(coalition=coalition, title=title or f"Doel {next(_counter)}", **kwargs))


def make_indicator(goal, name=None, **kwargs):
    fields = {
        "name": name or f"Indicator {next(_counter)}",
        "unit": Indicator.Unit.PERCENT,
        "baseline": Decimal("40"),
        "target": Decimal("30"),
        "direction": Indicator.Direction.LOWER,
        **kwargs,
    }
    return _saved(Indicator(goal=goal, **fields))


def make_measurement(indicator, date, value, **kwargs):
    if isinstance(date, str):
        date = datetime.date.fromisoformat(date)
    return _saved(Measurement(indicator=indicator, date=date, value=Decimal(value), **kwargs))


def make_commitment(goal, membership, description="Doet mee.", services=()):
    commitment = _saved(Commitment(goal=goal, membership=membership, description=description))
    commitment.clean_relations(services=services)
    commitment.services.set(services)
    return commitment


def make_figure(municipality, year, lonely, severely, source="Testbron"):
    return _saved(
        LonelinessFigure(
            municipality=municipality,
            year=year,
            lonely_percent=Decimal(lonely),
            severely_lonely_percent=Decimal(severely),
            source=source,
        )
    )
