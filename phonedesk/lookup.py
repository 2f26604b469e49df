"""Finding services for a caller and preparing what staff read out.

The search is the catalogue's own (`services.search.search_queryset` over
`live().for_municipality(m)`: published and temporarily closed),
narrowed by the caller context. Nothing here writes to the database; the ids of the
services a municipality's callers can use are kept in the shared cache.

The results fragment is what htmx loads while staff type with a caller waiting, so it
is built in a fixed, small number of queries (tests/phonedesk pins it): the ordered ids
first, on narrow rows, then the shown services with only what a result shows.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import connections
from django.db.models import F, Lookup, Prefetch

from services import criteria, presentation, ranking, text, versions
from services.models import Location, Service
from services.search import search_queryset, searcher
from services.validators import tel_href

# Staff read out the first few; ten keeps the answer quick and the list scannable.
RESULT_LIMIT = 10
# "Meer resultaten" adds ten at a time, up to this many.
MAX_RESULT_LIMIT = 50
# One letter matches nearly everything by prefix: not worth a query while the caller talks.
MIN_QUERY_LETTERS = 2


# The candidate ids change only with the catalogue versions in their key; the timeout
# merely lets unused municipalities' lists go.
CANDIDATES_SECONDS = 24 * 3600


def _locations():
    return Prefetch("locations", queryset=Location.objects.prefetch_related("opening_periods"))


def _with_locations(queryset):
    return queryset.with_related().prefetch_related(_locations())


class _AnyOf(Lookup):
    """PostgreSQL `column = ANY(array)` with the array as one text parameter ("{1,2,3}"):
    thousands of ids cost one string to pass (a list is adapted id by id, 9 ms for 8,000).
    The planner knows their number (it guesses a UNION subquery at 200 rows) and checks
    them by hash after the text indexes found their rows, so a rare word costs 1 ms."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*params, self.rhs)


def _candidate_scopes(context):
    """The catalogue versions the services a caller can use depend on (services.versions)."""
    if context.municipality_id is None:
        return [versions.NATIONAL]
    return [versions.NATIONAL, versions.municipality(context.municipality_id)]


def _stamp(scopes, values):
    return ".".join(f"{s}={v}" for s, v in zip(scopes, values, strict=True))


def catalogue_stamp(context):
    """The current versions of what this caller's results show, for cache keys: read
    before the data, so nothing is ever kept under a newer version than it shows."""
    scopes = _candidate_scopes(context)
    return _stamp(scopes, versions.current(scopes))


def _search_versions(context):
    """(catalogue_stamp, the version the search's spelling vocabulary is kept under
    (versions.key_part([]))), read in one round trip to the cache instead of two."""
    scopes = _candidate_scopes(context)
    vocabulary_scopes = versions.scopes_for([])
    values = versions.current([*scopes, *vocabulary_scopes])
    vocabulary = versions.key_part([], (vocabulary_scopes, values[len(scopes) :]))
    return _stamp(scopes, values[: len(scopes)]), vocabulary


def _candidate_lists(context, stamp=None):
    """(the candidates' ids as a PostgreSQL array literal, {age group slug: [ids]} of them),
    from the shared cache: the same for every call in the municipality until its catalogue
    changes (the versions in the key move). Read in one query, for every age group, so
    nothing about a caller is in the key or the value."""
    key = f"phonedesk-candidates:{stamp or catalogue_stamp(context)}"
    lists = cache.get(key)
    if lists is None:
        flags = ranking.age_group_flags()
        rows = list(context.services().order_by("pk").annotate(**flags).values_list("pk", *flags))
        array = "{" + ",".join(str(pk) for pk, *_ in rows) + "}"
        lists = (array, ranking.age_group_members(row for row in rows if any(row[1:])))
        cache.set(key, lists, CANDIDATES_SECONDS)
    return lists


def candidate_array(context, stamp=None):
    """The ids of the services this caller can use (CallerContext.services) as a PostgreSQL
    array literal (see _candidate_lists)."""
    return _candidate_lists(context, stamp)[0]


def _is_postgres():
    return connections[Service.objects.db].vendor == "postgresql"


def candidates(context, stamp=None, array=None):
    """The services this caller can use, as a queryset the search narrows further.

    On PostgreSQL the cached ids (candidate_array); the live() filter stays, so a list read
    just before a status change never shows an unpublished service. Elsewhere the rule
    itself (CallerContext.services): SQLite holds only small test catalogues.
    """
    if not _is_postgres():
        return context.services()
    array = array or candidate_array(context, stamp)
    return Service.objects.live().filter(_AnyOf(F("pk"), array))


def is_searchable(query):
    """True when a query has enough letters to search for."""
    return len("".join(text.words(query))) >= MIN_QUERY_LETTERS


def caller_person(context):
    """What the caller told about the person help is for, for the one result order."""
    return ranking.Person(age=context.age, at_home=context.at_home)


@dataclass(frozen=True)
class Found:
    """The services a search found, in the one order, before any is read in full."""

    ids: list
    # Ids of the shown services whose age range excludes the caller (flagged).
    age_misfits: frozenset
    more: bool
    # The catalogue versions read before the search (catalogue_stamp).
    stamp: str

    def __len__(self):
        return len(self.ids)


def find(context, query, *, limit=RESULT_LIMIT):
    """Up to `limit` services for a query in this caller context, as a Found.

    In the catalogue's own order (services.ranking): services that fit the caller first,
    then the best matches, then the most recently verified. Only narrow rows are sorted
    (ids and sort keys, not the wide text columns).
    """
    if not is_searchable(query):
        return Found([], frozenset(), False, catalogue_stamp(context))
    stamp, vocabulary_version = _search_versions(context)
    person = caller_person(context)
    array = members = None
    if _is_postgres():
        array, members = _candidate_lists(context, stamp)
    candidate_services = candidates(context, stamp, array)
    # As search_queryset, with the vocabulary version read together with the stamp.
    search = searcher(candidate_services, query, version=vocabulary_version)

    def ordered_rows(assume_found):
        queryset = search.queryset(candidate_services, narrowed=True, assume_found=assume_found)
        queryset = context.apply_toggles(queryset)
        queryset = ranking.order(
            queryset,
            person,
            first=[criteria.closed_last()],
            # The municipality's services in each age group (PostgreSQL; elsewhere the rule
            # itself), instead of a subquery over the whole country's links.
            members=members if person.age is not None else None,
        )
        return list(queryset.values_list("pk", "min_age", "max_age")[: limit + 1])

    # Several words: first the services that match them all, without asking beforehand
    # whether there are any (one query less while staff type "maatje eenzaam"); only when
    # that finds nothing does the search decide as usual which words to leave out.
    rows = ordered_rows(assume_found=True)
    if not rows and search.may_drop_words:
        rows = ordered_rows(assume_found=False)
    shown = rows[:limit]
    misfits = frozenset(
        pk
        for pk, min_age, max_age in shown
        if not criteria.fits_age(Service(min_age=min_age, max_age=max_age), context.age)
    )
    return Found([pk for pk, *_ in shown], misfits, len(rows) > limit, stamp)


# Left out of the rows read for cards (and pickled in the cache with them: phonedesk.cards).
SEARCH_COLUMNS = Service.SEARCH_COLUMNS


def services_for_results(ids):
    """These services, in this order, with what a result in the list shows."""
    if not ids:
        return []
    found = (
        Service.objects.filter(pk__in=ids)
        .defer(*SEARCH_COLUMNS)
        .prefetch_related("sessions", _locations())
    )
    by_pk = {service.pk: service for service in found}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def find_services(context, query, *, limit=RESULT_LIMIT):
    """Up to `limit` services for a query in this caller context, plus whether there are more."""
    found = find(context, query, limit=limit)
    return services_for_results(found.ids), found.more


def has_results(context, query):
    """True when the query finds at least one service in this caller context."""
    return context.apply_toggles(
        search_queryset(candidates(context), query, narrowed=True)
    ).exists()


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


def readouts(services, context, now=None):
    now = now or presentation.local_now()
    return [readout(service, context, now) for service in services]
