"""Finding services for a caller and preparing what staff read out.

The search is the catalogue's own (`services.search.search_queryset` over
`live().for_municipality(m)`: published and temporarily closed),
narrowed by the caller context. Nothing here writes.
"""

from dataclasses import dataclass

from django.db.models import Prefetch

from services import criteria, presentation, ranking, text
from services.models import Location, Service
from services.search import search_queryset
from services.validators import tel_href

# Staff read out the first few; ten keeps the answer quick and the list scannable.
RESULT_LIMIT = 10
# "Meer resultaten" adds ten at a time, up to this many.
MAX_RESULT_LIMIT = 50
# One letter matches nearly everything by prefix: not worth a query while the caller talks.
MIN_QUERY_LETTERS = 2


def _with_locations(queryset):
    locations = Location.objects.prefetch_related("opening_periods")
    return queryset.with_related().prefetch_related(Prefetch("locations", queryset=locations))


def is_searchable(query):
    """True when a query has enough letters to search for."""
    return len("".join(text.words(query))) >= MIN_QUERY_LETTERS


def caller_person(context):
    """What the caller told about the person help is for, for the one result order."""
    return ranking.Person(age=context.age, at_home=context.at_home)


def find_services(context, query, *, limit=RESULT_LIMIT):
    """Up to `limit` services for a query in this caller context, plus whether there are more.

    In the catalogue's own order (services.ranking): services that fit the caller first,
    then the best matches, then the most recently verified.
    """
    if not is_searchable(query):
        return [], False
    queryset = context.apply_toggles(search_queryset(context.services(), query, narrowed=True))
    queryset = ranking.order(queryset, caller_person(context), first=[criteria.closed_last()])
    services = list(_with_locations(queryset)[: limit + 1])
    return services[:limit], len(services) > limit


def has_results(context, query):
    """True when the query finds at least one service in this caller context."""
    return context.apply_toggles(search_queryset(context.services(), query, narrowed=True)).exists()


def get_service(context, pk):
    """One service this caller can use, with everything the panel shows, or None."""
    return _with_locations(context.services().filter(pk=pk)).first()


def picked_services(context):
    """The services picked for the summary, in the order they were picked."""
    if not context.picked:
        return []
    found = {s.pk: s for s in _with_locations(context.services().filter(pk__in=context.picked))}
    return [found[pk] for pk in context.picked if pk in found]


@dataclass(frozen=True)
class LocationHours:
    location: Location
    has_hours: bool
    today: list
    today_text: str | None
    open_now: bool
    week: list


@dataclass(frozen=True)
class Readout:
    """One service as staff read it out, with the conditions that may exclude this caller."""

    service: Service
    phone_href: str
    locations: list
    age_misfit: bool
    picked: bool

    @property
    def has_hours(self):
        return any(loc.has_hours for loc in self.locations)

    @property
    def open_now(self):
        return any(loc.open_now for loc in self.locations)

    @property
    def has_flags(self):
        s = self.service
        return (
            self.age_misfit
            or s.referral_required
            or s.low_income_only
            or bool(s.alert)
            or presentation.is_temporarily_closed(s)
        )


def readout(service, context, now=None):
    now = now or presentation.local_now()
    locations = [
        LocationHours(
            location=location,
            has_hours=bool(location.opening_periods.all()),
            today=presentation.today_periods(location, now),
            today_text=presentation.today_text(location, now),
            open_now=presentation.is_open_now(location, now),
            week=presentation.week(location, now),
        )
        for location in service.locations.all()
    ]
    return Readout(
        service=service,
        phone_href=tel_href(service.phone),
        locations=locations,
        age_misfit=not criteria.fits_age(service, context.age),
        picked=service.pk in context.picked,
    )


def readouts(services, context):
    now = presentation.local_now()
    return [readout(service, context, now) for service in services]
