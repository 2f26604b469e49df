"""Each service's facts for the counts (ServiceFacets): the rows PostgreSQL keeps by trigger
equal what the link tables, locations and opening periods say, after every kind of write;
counts read from them equal counts read from the tables; hours read into memory pass the
same test as the SQL one (criteria.hours_clauses, one rule)."""

import datetime
import operator

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from services import criteria
from services.catalogue.views import public_services
from services.filters import ServiceFilterSet
from services.lookups import Ids
from services.models import Location, OpeningPeriod, Service, ServiceFacets
from tests.factories import (
    make_language,
    make_municipality,
    make_service,
    make_support_type,
    make_target_group,
    make_theme,
)

RELATIONS = ["target_groups", "support_types", "themes", "languages", "municipalities"]
PERIODS = ServiceFacets.POSITION["periods"]


def expected_doc(service):
    """The doc the triggers must keep, in ServiceFacets.FIELDS order, from the tables."""
    found = {
        relation: sorted(getattr(service, relation).values_list("pk", flat=True))
        for relation in RELATIONS
    }
    found["periods"] = [
        [p.weekday, criteria._seconds(p.opens), criteria._seconds(p.closes)]
        for p in OpeningPeriod.objects.filter(location__service=service).order_by("pk")
    ]
    assert set(found) == set(ServiceFacets.FIELDS)
    return [found[name] for name in ServiceFacets.FIELDS]


def assert_table_matches():
    services = list(Service.objects.all())
    stored = dict(ServiceFacets.objects.values_list("service_id", "doc"))
    assert stored == {s.pk: expected_doc(s) for s in services}


@pytest.mark.django_db
def test_the_rows_follow_every_kind_of_write(postgres_only):
    north, south = make_municipality("Noorddorp"), make_municipality("Zuiddorp")
    elderly, young = make_target_group("Ouderen"), make_target_group("Jongeren")
    theme, language, support = make_theme(), make_language(), make_support_type()
    first = make_service(municipalities=[north], target_groups=[elderly], themes=[theme])
    second = make_service(municipalities=[north, south], languages=[language])
    assert_table_matches()

    first.target_groups.add(young)
    first.support_types.set([support])
    second.municipalities.remove(north)
    assert_table_matches()
    young.services.add(second)  # from the term's side
    theme.services.clear()
    assert_table_matches()
    through = Service.themes.through
    through.objects.bulk_create([through(service=first, theme=theme)])  # no signals
    assert_table_matches()
    Service.languages.through.objects.filter(service=second).delete()
    assert_table_matches()

    place = Location.objects.create(service=first, name="Buurthuis")
    OpeningPeriod.objects.bulk_create(
        [
            OpeningPeriod(
                location=place, weekday=3, opens=datetime.time(9), closes=datetime.time(12)
            ),
            OpeningPeriod(
                location=place, weekday=5, opens=datetime.time(13, 30), closes=datetime.time(17)
            ),
        ]
    )
    assert_table_matches()
    OpeningPeriod.objects.filter(location=place, weekday=3).update(closes=datetime.time(12, 45))
    assert_table_matches()
    Location.objects.filter(pk=place.pk).update(service=second)  # the hours move along
    assert_table_matches()
    OpeningPeriod.objects.filter(location=place).first().delete()
    assert_table_matches()
    place.delete()
    assert_table_matches()

    first.delete()
    Service.objects.filter(pk=second.pk).delete()
    assert_table_matches()
    assert not ServiceFacets.objects.exists()


@pytest.mark.django_db
def test_a_refresh_reads_by_index_whatever_the_statistics_say(postgres_only):
    """The refresh behind every trigger reads a few rows per service; with the statistics of
    a small table (as during a bulk load) the planner had read each service's opening
    periods by a sequential scan of the whole table. The plans of the trigger's own
    statements, as auto_explain prints them, name no sequential scan of a stored table."""
    north = make_municipality("Noorddorp")
    service = make_service(municipalities=[north])
    location = Location.objects.create(service=service, name="Buurthuis")
    plans = []
    raw = connection.connection  # psycopg's connection: auto_explain answers as notices

    def handler(notice):
        plans.append(notice.message_primary or "")

    raw.add_notice_handler(handler)
    try:
        with connection.cursor() as cursor:
            cursor.execute("LOAD 'auto_explain'")
            cursor.execute("SET LOCAL auto_explain.log_min_duration = 0")
            cursor.execute("SET LOCAL auto_explain.log_nested_statements = on")
            cursor.execute("SET LOCAL client_min_messages = log")
            OpeningPeriod.objects.create(
                location=location,
                weekday=1,
                opens=datetime.time(9),
                closes=datetime.time(12),
            )
            cursor.execute("SET LOCAL client_min_messages = notice")
    finally:
        raw.remove_notice_handler(handler)
    refresh = [plan for plan in plans if "services_servicefacets" in plan]
    assert refresh, plans  # the trigger ran and its plan was seen
    scans = [line for plan in refresh for line in plan.splitlines() if "Seq Scan on" in line]
    assert scans == [], refresh
    assert ServiceFacets.objects.get(service_id=service.pk).doc[PERIODS] == [[1, 32400, 43200]]


@pytest.mark.django_db
def test_a_write_that_changes_no_fact_leaves_the_row_alone(postgres_only):
    """A location renamed changes no doc: the row keeps its place (no dead version for the
    counts to read past); a new opening period moves it."""
    service = make_service(municipalities=[make_municipality("Noorddorp")])
    location = Location.objects.create(service=service, name="Buurthuis")

    def place():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ctid::text FROM services_servicefacets WHERE service_id = %s",
                [service.pk],
            )
            return cursor.fetchone()[0]

    before = place()
    Location.objects.filter(pk=location.pk).update(name="Wijkcentrum")
    assert place() == before
    OpeningPeriod.objects.create(
        location=location, weekday=2, opens=datetime.time(13), closes=datetime.time(15)
    )
    assert place() != before
    assert ServiceFacets.objects.get(service_id=service.pk).doc[PERIODS] == [[2, 46800, 54000]]


@pytest.mark.django_db
def test_a_missing_row_is_not_trusted(postgres_only):
    north = make_municipality("Noorddorp")
    services = [make_service(municipalities=[north]) for _ in range(3)]
    ids = Ids(sorted(s.pk for s in services))
    assert set(ServiceFacets.docs_for(ids)) == set(ids.values)
    ServiceFacets.objects.filter(service_id=services[0].pk).delete()
    assert ServiceFacets.docs_for(ids) is None  # the counts then read the tables


@pytest.mark.django_db
def test_counts_read_the_rows_not_the_link_tables(postgres_only):
    north = make_municipality("Noorddorp")
    theme, group, other = make_theme(), make_target_group("Ouderen"), make_target_group()
    for i in range(4):
        make_service(municipalities=[north], themes=[theme], target_groups=[[group, other][i % 2]])
    cache.clear()

    def counts_and_queries(delete_rows=False):
        if delete_rows:
            ServiceFacets.objects.all().delete()
        cache.clear()
        filterset = ServiceFilterSet(
            QueryDict(""), queryset=public_services(), default_municipality=north
        )
        with CaptureQueriesContext(connection) as queries:
            counts = {f.name: {v.value: v.count for v in f.values} for f in filterset.facets()}
            when = {v.value: v.count for v in filterset.when_facet().values}
        links = [q["sql"] for q in queries if "services_service_themes" in q["sql"]]
        return counts, when, links

    counts, when, links = counts_and_queries()
    assert links == []
    assert counts["thema"][theme.slug] == 4
    assert counts["doelgroep"][group.slug] == 2
    from_tables, when_from_tables, links = counts_and_queries(delete_rows=True)
    assert links  # no rows: the link tables are counted instead, with the same answer
    assert (from_tables, when_from_tables) == (counts, when)


@given(
    weekday=st.integers(1, 7),
    opens=st.times(),
    length=st.integers(1, 24 * 60),
    day=st.integers(0, 13),
    minute=st.integers(0, 24 * 60 - 1),
    value=st.sampled_from(criteria.WHEN),
)
@settings(max_examples=200, deadline=None)
def test_hours_in_memory_pass_the_same_test_as_in_sql(weekday, opens, length, day, minute, value):
    """period_in_window (periods read into memory) agrees with hours_periods (the Q) for any
    period and moment: both come from hours_clauses. The Q is judged on an unsaved period
    by evaluating its clauses the way the database compares times."""
    start = datetime.datetime.combine(datetime.date(2026, 11, 30), opens)
    closes = min(start + datetime.timedelta(minutes=length), start.replace(hour=23, minute=59))
    closes = closes.time()
    now = datetime.datetime(2026, 11, 30, tzinfo=criteria.AMSTERDAM) + datetime.timedelta(
        days=day, minutes=minute
    )
    condition = criteria.hours_periods(value, now)
    expected = _q_matches(condition, {"weekday": weekday, "opens": opens, "closes": closes})
    test = criteria.period_in_window(value, now)
    assert test(weekday, criteria._seconds(opens), criteria._seconds(closes)) == expected


def _q_matches(condition, row):
    """A Q of weekday/opens/closes lookups, evaluated on a dict (exact, in, lte, gt)."""
    results = []
    for child in condition.children:
        if hasattr(child, "children"):
            results.append(_q_matches(child, row))
            continue
        lookup, wanted = child
        field, _sep, op = lookup.partition("__")
        have = row[field]
        compare = {"": operator.eq, "in": _within, "lte": operator.le, "gt": operator.gt}[op]
        results.append(compare(have, wanted))
    outcome = any(results) if condition.connector == "OR" else all(results)
    return not outcome if condition.negated else outcome


def _within(have, wanted):
    return have in wanted


@pytest.mark.django_db
def test_national_docs_are_read_once_per_version_of_national_services(postgres_only, monkeypatch):
    """An edit in a municipality leaves the national services' docs (most of a view) as
    they were read; an edit of a national service makes them read again, with the change.
    A view smaller than NATIONAL_DOCS_FROM reads its own docs by id instead."""
    from services import versions

    north = make_municipality("Noorddorp")
    theme = make_theme()
    line = make_service("De Landelijke Lijn")
    make_service("Tweede Lijn", themes=[theme])
    walk = make_service("Wandelen", municipalities=[north], themes=[theme])
    cache.clear()

    def theme_count():
        filterset = ServiceFilterSet(
            QueryDict(""), queryset=public_services(), default_municipality=north
        )
        with CaptureQueriesContext(connection) as queries:
            counts = {f.name: {v.value: v.count for v in f.values} for f in filterset.facets()}
        national = [q for q in queries if "services_servicefacets.service_id IN (" in q["sql"]]
        return counts["thema"][theme.slug], len(national)

    assert theme_count() == (2, 0)  # three services: their own docs, by id
    monkeypatch.setattr(ServiceFilterSet, "NATIONAL_DOCS_FROM", 0)
    versions.bump([north.pk])
    assert theme_count() == (2, 1)
    walk.summary = "Elke week."
    walk.save()  # a local edit: the counts are made again, the national docs are kept
    assert theme_count() == (2, 0)
    line.themes.add(theme)  # a national edit: read again, with the new theme
    assert theme_count() == (3, 1)
    versions.bump([north.pk])
    assert theme_count() == (3, 0)
