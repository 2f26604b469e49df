"""What a service shows, written once: opening hours, costs, ages, scope and contact labels.

Used by the catalogue, the detail page, compare, the shortlist, the phone desk and the
summaries, through these functions and the template includes in templates/services/includes/.
"""

from dataclasses import dataclass

from django.utils import timezone

from .models import OpeningPeriod


@dataclass(frozen=True)
class DayHours:
    weekday: int
    label: str
    periods: tuple
    is_today: bool


def local_now():
    """The current time in the site's time zone (Europe/Amsterdam)."""
    return timezone.localtime()


def week(location, now=None):
    """Seven DayHours for a location, Monday first, with today marked.

    Uses `location.opening_periods.all()`, so a prefetch keeps it free of queries.
    """
    now = now or local_now()
    periods = list(location.opening_periods.all())
    return [
        DayHours(
            weekday=day.value,
            label=day.label,
            periods=tuple(p for p in periods if p.weekday == day.value),
            is_today=day.value == now.isoweekday(),
        )
        for day in OpeningPeriod.Weekday
    ]


def today_periods(location, now=None):
    now = now or local_now()
    return [p for p in location.opening_periods.all() if p.weekday == now.isoweekday()]


def is_open_now(location, now=None):
    now = now or local_now()
    return any(p.is_open_at(now) for p in location.opening_periods.all())
