"""What a service shows, written once: opening hours, costs, ages, scope and contact labels.

Used by the catalogue, the detail page, compare, the shortlist, the phone desk and the
summaries, through these functions and the template includes in templates/services/includes/.
"""

from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from .models import OpeningPeriod, Service
from .numbers import format_number

# Service facts ----------------------------------------------------------------------------


def cost_label(service):
    """ "Gratis", "Betaald: € 12,50 per keer", "Nog niet bekend" (always after a Kosten label)."""
    if service.cost == Service.Cost.UNKNOWN:
        return _("Nog niet bekend")
    label = service.get_cost_display()
    if service.cost_amount is not None:
        amount = "€ " + format_number(service.cost_amount, 2)
        unit = service.get_cost_unit_display() if service.cost_unit else ""
        label = f"{label}: {amount} {unit}".strip()
    return label


def age_label(service):
    """ "alle leeftijden", "vanaf 65 jaar", "tot en met 25 jaar", "18 tot en met 25 jaar"."""
    low, high = service.min_age, service.max_age
    if low is None and high is None:
        return _("alle leeftijden")
    if high is None:
        return _("vanaf %(min)s jaar") % {"min": low}
    if low is None:
        return _("tot en met %(max)s jaar") % {"max": high}
    return _("%(min)s tot en met %(max)s jaar") % {"min": low, "max": high}


def scope_label(service):
    """Where the service can be had: "In heel Nederland" or its municipalities."""
    if service.scope == Service.Scope.NATIONAL:
        return _("In heel Nederland")
    return ", ".join(m.name for m in service.municipalities.all()) or "–"


def long_date(value):
    """The one date style of the site: "8 oktober 2025"."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return formats.date_format(value, "j F Y")


def verified_label(service):
    if service.verified_at:
        return _("Laatst gecontroleerd op %(date)s") % {"date": long_date(service.verified_at)}
    return _("Nog niet gecontroleerd door de gemeente")


def verified_short(service):
    return long_date(service.verified_at) if service.verified_at else _("Nog niet")


def _day_and_date(moment):
    return formats.date_format(timezone.localtime(moment), "l j F")


def _time(value):
    return formats.time_format(value, "G.i")


def next_session(service, now=None):
    """The next time the activity takes place, as a dict for templates, or None.

    Reads `service.sessions.all()` (prefetched by with_related), so it costs no query.
    """
    now = now or local_now()
    best = None
    for session in service.sessions.all():
        for start, end in session.occurrences(now, count=1):
            if best is None or start < best["start"]:
                best = {"start": start, "end": end, "session": session}
    if best is None:
        return None
    session = best["session"]
    label = _("%(day)s, %(start)s–%(end)s uur") % {
        "day": _day_and_date(best["start"]),
        "start": _time(timezone.localtime(best["start"]).time()),
        "end": _time(timezone.localtime(best["end"]).time()),
    }
    best["label"] = label
    best["now"] = best["start"] <= now < best["end"]
    best["signup"] = (
        _("aanmelden vóór %(date)s")
        % {"date": formats.date_format(session.signup_deadline, "l j F")}
        if session.signup_deadline and session.signup_deadline >= now.date()
        else ""
    )
    best["places"] = session.places
    return best


def session_pattern(session):
    """How often, in words: "Elke donderdag, 10.00–12.00 uur", "Op 3 december, ...".

    The wording lives on the model (ActivitySession.in_words), so the review diff and the
    HSDS feed, which sit below this module, read a session the same way as the public page."""
    return session.in_words()


def detail_context(service, now=None):
    """What the detail page shows of a service beyond its fields: places with their hours,
    sessions and the next one. Used by the public page and the editors' preview."""
    now = now or local_now()
    return {
        "locations": [
            {
                "location": location,
                "week": week(location, now),
                "open_now": is_open_now(location, now),
                "today": today_text(location, now),
                "has_hours": bool(location.opening_periods.all()),
            }
            for location in service.locations.all()
        ],
        "next_session": next_session(service, now),
        "sessions": [
            {"session": session, "pattern": session_pattern(session)}
            for session in service.sessions.all()
        ],
    }


def is_temporarily_closed(service):
    return service.status == Service.Status.TEMPORARILY_CLOSED


# Opening hours ----------------------------------------------------------------------------


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


def in_sentence(label):
    """A label as it reads after "Kosten:" or "Door:", in lower case with Dutch spelling.

    "Eén op één" becomes "één op één" (plain lower() would give "eén").
    """
    text = str(label).lower()
    if text.startswith("eén"):
        text = "één" + text[3:]
    return text


def clock(moment):
    """A time as Dutch people write it: 10.00, 9.30."""
    return f"{moment.hour}.{moment.minute:02}"


def next_opening(location, now=None):
    """(days from today, period) of the first period that opens after `now`, or None."""
    now = now or local_now()
    periods = sorted(location.opening_periods.all(), key=lambda p: (p.weekday, p.opens))
    for offset in range(8):
        weekday = (now.isoweekday() - 1 + offset) % 7 + 1
        for period in periods:
            if period.weekday == weekday and (offset or period.opens > now.time()):
                return offset, period
    return None


def today_text(location, now=None):
    """Today's hours as staff read them out, or None when the location has no hours at all.

    "Vandaag open van 10.00 tot 12.00" while there is still an opening today, otherwise
    "Vandaag gesloten, weer open donderdag 10.00". Uses the prefetched opening periods.
    """
    now = now or local_now()
    if not location.opening_periods.all():
        return None
    today = [p for p in location.opening_periods.all() if p.weekday == now.isoweekday()]
    ahead = sorted((p for p in today if p.closes > now.time()), key=lambda p: p.opens)
    if ahead:
        times = [
            _("van %(opens)s tot %(closes)s") % {"opens": clock(p.opens), "closes": clock(p.closes)}
            for p in ahead
        ]
        return _("Vandaag open %(times)s") % {"times": get_text_list(times, _("en"))}
    offset, period = next_opening(location, now)
    day = period.get_weekday_display()
    if offset == 1:
        day = _("morgen")
    elif offset == 7:
        day = _("volgende week %(day)s") % {"day": day}
    values = {"day": day, "time": clock(period.opens)}
    if today:
        return _("Vandaag niet meer open, weer open %(day)s %(time)s") % values
    return _("Vandaag gesloten, weer open %(day)s %(time)s") % values
