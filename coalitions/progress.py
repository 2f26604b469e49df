"""How far a coalition is: each goal "op koers", "achter" or "gehaald", and what does not add up.

The rules, in order (an indicator; a goal takes the state of its indicators):

| state | when |
| --- | --- |
| nog niet gemeten | the indicator has no measurement yet |
| gehaald | the latest measurement reached the target (direction-aware) |
| achter | the target date has passed and the target is not reached, or the share of the way from baseline to target is more than 15 points behind the share of the time gone by (from the coalition's start, else the first measurement, to the target date), or there is no target date and the latest value moved away from the target |
| op koers | otherwise |

A goal is "gehaald" when all its measured indicators are, "achter" when any is, "op koers"
when any is measured, else "nog niet gemeten". Nothing here writes.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import PillarStatus, Step

TOLERANCE = 0.15


@dataclass(frozen=True)
class State:
    code: str
    label: str
    explanation: str = ""


NOT_MEASURED = "not_measured"
REACHED = "reached"
BEHIND = "behind"
ON_TRACK = "on_track"
LABELS = {
    NOT_MEASURED: _("Nog niet gemeten"),
    REACHED: _("Gehaald"),
    BEHIND: _("Achter"),
    ON_TRACK: _("Op koers"),
}


def _share(indicator, value):
    """How much of the way from baseline to target `value` has come (0 = baseline, 1 = target)."""
    span = indicator.target - indicator.baseline
    if span == 0:
        return 1.0
    return float((value - indicator.baseline) / span)


def indicator_state(indicator, measurements, *, target_date=None, start=None, today=None):
    """The State of one indicator from its measurements (sorted or not)."""
    today = today or datetime.date.today()
    measurements = sorted(measurements, key=lambda m: m.date)
    if not measurements:
        return State(NOT_MEASURED, str(LABELS[NOT_MEASURED]))
    latest = measurements[-1]
    share = _share(indicator, latest.value)
    if share >= 1:
        return State(REACHED, str(LABELS[REACHED]))
    if target_date is not None:
        if today > target_date:
            return State(
                BEHIND,
                str(LABELS[BEHIND]),
                str(_("De einddatum is voorbij en het doel is nog niet gehaald.")),
            )
        begin = start or measurements[0].date
        total = (target_date - begin).days
        elapsed = (today - begin).days
        expected = min(max(elapsed / total, 0.0), 1.0) if total > 0 else 1.0
        if share < expected - TOLERANCE:
            return State(
                BEHIND,
                str(LABELS[BEHIND]),
                str(
                    _(
                        "%(done)s%% van de weg is afgelegd, terwijl %(time)s%% van de tijd "
                        "voorbij is."
                    )
                    % {"done": round(max(share, 0) * 100), "time": round(expected * 100)}
                ),
            )
    elif share < 0:
        return State(BEHIND, str(LABELS[BEHIND]), str(_("De waarde gaat de verkeerde kant op.")))
    return State(ON_TRACK, str(LABELS[ON_TRACK]))


def goal_state(goal, *, today=None):
    """The State of a goal from its indicators (uses prefetched indicators and measurements)."""
    start = goal.coalition.start_date
    states = [
        indicator_state(
            indicator,
            list(indicator.measurements.all()),
            target_date=goal.target_date,
            start=start,
            today=today,
        )
        for indicator in goal.indicators.all()
    ]
    measured = [s for s in states if s.code != NOT_MEASURED]
    if not measured:
        return State(NOT_MEASURED, str(LABELS[NOT_MEASURED]))
    behind = next((s for s in measured if s.code == BEHIND), None)
    if behind is not None:
        return behind
    if all(s.code == REACHED for s in measured):
        return State(REACHED, str(LABELS[REACHED]))
    return State(ON_TRACK, str(LABELS[ON_TRACK]))


# From this step on, this pillar should at least be under way (or in place): else a warning.
STEP_PILLAR_RULES = [
    (Step.ORGANISE, "network", {PillarStatus.UNDER_WAY, PillarStatus.IN_PLACE}),
    (Step.PLAN, "commitment", {PillarStatus.UNDER_WAY, PillarStatus.IN_PLACE}),
    (Step.CARRY_OUT, "involvement", {PillarStatus.UNDER_WAY, PillarStatus.IN_PLACE}),
    (Step.CARRY_OUT, "monitoring", {PillarStatus.UNDER_WAY, PillarStatus.IN_PLACE}),
    (Step.SUSTAIN, "continuity", {PillarStatus.IN_PLACE}),
    (Step.SUSTAIN, "commitment", {PillarStatus.IN_PLACE}),
]


def consistency_warnings(coalition):
    """Sentences for pillars that do not fit the step the coalition says it is at."""
    pillars = {p["key"]: p for p in coalition.pillars()}
    warnings = []
    for step, key, wanted in STEP_PILLAR_RULES:
        pillar = pillars[key]
        if coalition.step >= step and pillar["status"] not in wanted:
            warnings.append(
                str(
                    _(
                        "De coalitie is bij stap %(step)s (%(step_label)s), maar de pijler "
                        "„%(pillar)s” staat op „%(status)s”. Klopt dat?"
                    )
                    % {
                        "step": coalition.step,
                        "step_label": coalition.step_label,
                        "pillar": pillar["label"],
                        "status": pillar["status_label"],
                    }
                )
            )
    return warnings


def figures_note(local, national):
    """A note when the local and national loneliness figures come from different years."""
    if local is None or national is None or local.year == national.year:
        return ""
    return str(
        _(
            "Let op: de cijfers komen uit verschillende jaren (%(local)s en %(national)s). "
            "Vergelijk ze daarom voorzichtig."
        )
        % {"local": local.year, "national": national.year}
    )
