"""Goal states (op koers / achter / gehaald), step-pillar warnings and the figures' year note."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from coalitions import progress
from coalitions.models import Indicator, PillarStatus, Step

TODAY = datetime.date(2026, 6, 1)


def indicator(baseline, target, direction=Indicator.Direction.HIGHER):
    return Indicator(
        name="x", unit=Indicator.Unit.PERCENT, baseline=Decimal(baseline),
        target=Decimal(target), direction=direction,
    )  # fmt: skip


def m(day, value):
    return SimpleNamespace(date=day, value=Decimal(value))


def state(ind, measurements, target_date=None, start=None):
    return progress.indicator_state(
        ind, measurements, target_date=target_date, start=start, today=TODAY
    ).code


@pytest.mark.parametrize(
    ("measurements", "target_date", "start", "expected"),
    [
        ([], datetime.date(2027, 1, 1), None, progress.NOT_MEASURED),
        ([m(datetime.date(2026, 1, 1), "40")], datetime.date(2027, 1, 1), None, progress.REACHED),
        # Past the deadline and below target.
        ([m(datetime.date(2025, 1, 1), "25")], datetime.date(2026, 1, 1), None, progress.BEHIND),
        # Half the time gone, a fifth of the way done: behind.
        (
            [m(datetime.date(2026, 5, 1), "22")],
            datetime.date(2027, 1, 1),
            datetime.date(2025, 11, 1),
            progress.BEHIND,
        ),
        # Half the time gone, half the way done: on track.
        (
            [m(datetime.date(2026, 5, 1), "30")],
            datetime.date(2027, 1, 1),
            datetime.date(2025, 11, 1),
            progress.ON_TRACK,
        ),
        # No deadline and moving the wrong way.
        ([m(datetime.date(2026, 5, 1), "15")], None, None, progress.BEHIND),
    ],
)
def test_indicator_states_follow_the_rules(measurements, target_date, start, expected):
    assert state(indicator("20", "40"), measurements, target_date, start) == expected


def test_lower_is_better_counts_the_other_way():
    lower = indicator("30", "20", Indicator.Direction.LOWER)
    assert state(lower, [m(datetime.date(2026, 1, 1), "19")]) == progress.REACHED
    assert state(lower, [m(datetime.date(2026, 1, 1), "35")]) == progress.BEHIND


def coalition(step, **statuses):
    fields = {f"{key}_status": PillarStatus.NOT_STARTED for key, *_ in progress_pillars()}
    fields.update({f"{key}_status": value for key, value in statuses.items()})
    fields.update({f"{key}_note": "" for key, *_ in progress_pillars()})
    from coalitions.models import Coalition

    return Coalition(step=step, **fields)


def progress_pillars():
    from coalitions.models import PILLARS

    return PILLARS


def test_last_step_with_long_term_not_started_is_flagged():
    warnings = progress.consistency_warnings(coalition(Step.SUSTAIN))
    assert any("Een aanpak voor de lange termijn" in w for w in warnings)
    assert progress.consistency_warnings(coalition(Step.INITIATIVE)) == []


def test_figures_from_different_years_get_a_note():
    assert "2022 en 2016" in progress.figures_note(
        SimpleNamespace(year=2022), SimpleNamespace(year=2016)
    )
    assert progress.figures_note(SimpleNamespace(year=2022), SimpleNamespace(year=2022)) == ""
