"""What a filter means, written once: the catalogue's facets, the phone desk's toggles and
the API's parameters all build their conditions here.

Each function returns a Q over Service. Values inside one facet combine with OR, facets
with AND (the caller's job). Unknown values never reach these functions: the FilterSet,
the desk's form and the API validate first.
"""

import datetime
import math
import zoneinfo

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from .models import ActivitySession, OpeningPeriod, Service

# The audience "Iedereen" (everyone): a service for everyone fits every audience chosen.
EVERYONE = "iedereen"

FORMAT = {
    "individual": [Service.Format.INDIVIDUAL, Service.Format.BOTH],
    "group": [Service.Format.GROUP, Service.Format.BOTH],
}
PROVIDED_BY = {
    "volunteers": [Service.ProvidedBy.VOLUNTEERS, Service.ProvidedBy.BOTH],
    "professionals": [Service.ProvidedBy.PROFESSIONALS, Service.ProvidedBy.BOTH],
}
SETTINGS = ["at_home", "out_of_home", "online", "by_phone"]


def taxonomy_q(relation, slugs):
    """Services linked to any of these terms of a taxonomy (support types, themes, ...).
    The catalogue applies the same test to the term ids it has read per service
    (services.filters.ServiceFilterSet.matching_ids)."""
    through = getattr(Service, relation).through
    model_name = getattr(Service, relation).field.related_model._meta.model_name
    ids = through.objects.filter(**{f"{model_name}__slug__in": list(slugs)})
    return Q(pk__in=ids.values("service_id"))


def audience_slugs(slugs):
    """The target groups a choice of these means: services for everyone always count."""
    slugs = list(slugs)
    if slugs and EVERYONE not in slugs:
        slugs.append(EVERYONE)
    return slugs


def audience_q(slugs):
    """Services for any of these target groups; services for everyone always count."""
    return taxonomy_q("target_groups", audience_slugs(slugs))


def format_q(values):
    return Q(format__in=sorted({item for value in values for item in FORMAT[value]}))


def provided_by_q(values):
    return Q(provided_by__in=sorted({item for value in values for item in PROVIDED_BY[value]}))


def choice_q(field_name):
    """A facet whose values are the field's own choices (costs, frequency, scope)."""

    def facet_q(values):
        return Q(**{f"{field_name}__in": sorted(values)})

    return facet_q


cost_q = choice_q("cost")
frequency_q = choice_q("frequency")
scope_q = choice_q("scope")


def settings_q(values):
    """Where it happens: at home, out of home, online, by phone (any of them)."""
    condition = Q()
    for value in values:
        condition |= Q(**{value: True})
    return condition


def no_referral_q(values=None):
    return Q(referral_required=False)


def age_q(age):
    """Services whose age range includes this age (no limits: every age)."""
    if age is None:
        return Q()
    return (Q(min_age__isnull=True) | Q(min_age__lte=age)) & (
        Q(max_age__isnull=True) | Q(max_age__gte=age)
    )


def age_misfit_q(age):
    """Services whose age range excludes this age (the opposite of age_q, for ranking)."""
    return Q(min_age__gt=age) | Q(max_age__lt=age)


def fits_age(service, age):
    """The same rule as age_q, for one service already in memory."""
    if age is None:
        return True
    if service.min_age is not None and age < service.min_age:
        return False
    return not (service.max_age is not None and age > service.max_age)


def closed_last():
    """An ordering value: 0 for open services, 1 for temporarily closed ones (listed after)."""
    return Case(
        When(status=Service.Status.TEMPORARILY_CLOSED, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


# When ---------------------------------------------------------------------------------
# "Wanneer": today, this week (up to and including Sunday) and open now, in Amsterdam time.
# A service matches when one of its sessions (ActivitySession.occurrences, the one
# recurrence rule) or one of its locations' opening periods falls in the window and has
# not ended yet. The answer changes with the clock: callers cache it per minute at most
# (`when_stamp`).
TODAY, THIS_WEEK, OPEN_NOW = "vandaag", "deze-week", "nu-open"
WHEN = [TODAY, THIS_WEEK, OPEN_NOW]
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def when_now(now=None):
    """The moment a when-filter is judged at, in Amsterdam time, to the minute."""
    moment = timezone.localtime(now or timezone.now(), AMSTERDAM)
    return moment.replace(second=0, microsecond=0)


def when_stamp(now=None):
    """The part of a cache key for results that depend on the clock: they hold one minute."""
    return when_now(now).strftime("%Y-%m-%dT%H:%M")


def when_window(value, now):
    """[start, end) of the window a value means, as aware Amsterdam datetimes."""
    if value == OPEN_NOW:
        return now, now + datetime.timedelta(minutes=1)
    midnight = datetime.datetime.combine(now.date(), datetime.time(), tzinfo=AMSTERDAM)
    days = 1 if value == TODAY else 8 - now.isoweekday()
    end = datetime.datetime.combine(
        now.date() + datetime.timedelta(days=days), datetime.time(), tzinfo=AMSTERDAM
    )
    return max(now, midnight), end


def _weekdays(start, end):
    """The ISO weekdays of the dates from start to end (exclusive end)."""
    days = []
    day = start.date()
    while datetime.datetime.combine(day, datetime.time(), tzinfo=AMSTERDAM) < end and len(days) < 7:
        days.append(day.isoweekday())
        day += datetime.timedelta(days=1)
    return days


def session_service_ids(value, now=None):
    """Ids of services with a session (taking place or still to start) in the window."""
    return sessions_in_windows([value], now)[value]


def sessions_in_windows(values, now=None):
    """{value: session_service_ids(value)} for several windows, from one read of the
    sessions: each session's next occurrence is worked out once per window start (the
    windows all start now) and tested against each window's end."""
    now = when_now(now)
    windows = {value: when_window(value, now) for value in values}
    start = min(first for first, _ in windows.values())
    end = max(last for _, last in windows.values())
    last_day = (end - datetime.timedelta(microseconds=1)).date()
    # A first cut in the database (sessions cannot pass midnight); the rule decides.
    candidates = (
        ActivitySession.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=start.date()))
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=last_day))
        .filter(
            Q(kind=ActivitySession.Kind.ONCE, start_date__gte=start.date())
            | (~Q(kind=ActivitySession.Kind.ONCE) & Q(weekday__in=_weekdays(start, end)))
        )
    )
    found = {value: set() for value in values}
    for session in candidates.only(*SESSION_FIELDS):
        waiting = [value for value in values if session.service_id not in found[value]]
        occurrences = {}
        for value in waiting:
            window_start, window_end = windows[value]
            if window_start not in occurrences:
                occurrences[window_start] = session.occurrences(window_start, count=1)
            for first, finish in occurrences[window_start]:
                if first < window_end and finish > window_start:
                    found[value].add(session.service_id)
    return {value: sorted(ids) for value, ids in found.items()}


SESSION_FIELDS = (
    "service_id", "kind", "weekday", "start_date", "end_date", "starts_at", "ends_at"
)  # fmt: skip


def hours_clauses(value, now=None):
    """The opening periods in the window that have not closed yet, as clauses
    (weekdays, opens at or before, closes after): a period is in the window when it meets
    one of them (a bound of None is no bound). The one rule behind hours_periods (a Q over
    OpeningPeriod) and period_in_window (the same test on periods read into memory)."""
    now = when_now(now)
    start, end = when_window(value, now)
    today = now.isoweekday()
    if value == OPEN_NOW:
        return [((today,), now.time(), now.time())]
    later = tuple(day for day in _weekdays(start, end) if day != today)
    return [((today,), None, now.time()), (later, None, None)]


def hours_periods(value, now=None):
    """The opening periods in the window that have not closed yet: a Q over OpeningPeriod."""
    condition = Q()
    for weekdays, opens_by, closes_after in hours_clauses(value, now):
        clause = Q(weekday=weekdays[0]) if len(weekdays) == 1 else Q(weekday__in=weekdays)
        if opens_by is not None:
            clause &= Q(opens__lte=opens_by)
        if closes_after is not None:
            clause &= Q(closes__gt=closes_after)
        condition |= clause
    return condition


def _seconds(moment):
    if moment is None:
        return None
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


def period_in_window(value, now=None):
    """hours_periods' test for periods read into memory: a function (weekday, opens,
    closes) -> bool, times as seconds after midnight (as services.models.ServiceFacets
    keeps them). The clauses are laid out per weekday once, so a test is a dict lookup and
    one or two comparisons (the catalogue runs it for every period in view)."""
    by_day = {}
    for weekdays, opens_by, closes_after in hours_clauses(value, now):
        bound = (
            math.inf if opens_by is None else _seconds(opens_by),
            -math.inf if closes_after is None else _seconds(closes_after),
        )
        for weekday in weekdays:
            by_day.setdefault(weekday, []).append(bound)

    def test(weekday, opens, closes):
        for opens_by, closes_after in by_day.get(weekday, ()):
            if opens <= opens_by and closes > closes_after:
                return True
        return False

    return test


def hours_q(value, now=None):
    """Services with a location open in the window (a building's weekly hours)."""
    periods = OpeningPeriod.objects.filter(hours_periods(value, now))
    return Q(pk__in=periods.values("location__service_id"))


def when_service_ids(values, now=None, session_ids=None, within=None, periods=None):
    """{value: the ids when_q([value]) finds}, for counting within ids already in memory
    (the catalogue's counts): sessions in the window plus locations open in it.

    within: ids of the only services asked about; their opening hours are read in one
    query, not the whole country's. periods: {service id: [[weekday, opens, closes], ...]}
    for those ids, already read (ServiceFacets): then no query reads them."""
    session_ids = session_ids or session_service_ids
    now = when_now(now)
    found = {value: set(session_ids(value, now)) for value in values}
    if periods is not None:
        tests = [(value, period_in_window(value, now)) for value in values]
        # Many services keep the same hours: each distinct period is tested once per window
        # (at 100k services a view's 2,165 services have 3,128 periods, 95 distinct ones:
        # 5.0 -> 2.5 ms for the three windows).
        meets = {}
        for service_id, rows in periods.items():
            for row in rows:
                key = tuple(row)
                windows = meets.get(key)
                if windows is None:
                    windows = meets[key] = [value for value, test in tests if test(*key)]
                for value in windows:
                    found[value].add(service_id)
        return found
    windows = {f"n{i}": hours_periods(value, now) for i, value in enumerate(values)}
    periods = OpeningPeriod.objects.all()
    if within is not None:
        periods = periods.filter(location__service__any_of=within)
    any_window = Q()
    for condition in windows.values():
        any_window |= condition
    rows = (
        periods.filter(any_window)
        .order_by()
        .values("location__service_id")
        .annotate(**{name: Count("pk", filter=condition) for name, condition in windows.items()})
        .values_list("location__service_id", *windows)
    )
    for service_id, *counts in rows:
        for value, count in zip(values, counts, strict=True):
            if count:
                found[value].add(service_id)
    return found


def when_q(values, now=None, session_ids=None):
    """Services with a session or opening hours in any of the chosen windows.

    session_ids: a function (value, now) -> ids, for callers that cache session_service_ids
    per minute (the catalogue); by default they are computed here."""
    session_ids = session_ids or session_service_ids
    condition = Q()
    for value in values:
        condition |= Q(pk__in=session_ids(value, now)) | hours_q(value, now)
    return condition
