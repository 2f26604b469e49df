"""The catalogue's counts read by id sets (FacetSets) agree with chaining the filters in SQL.

Up to ID_LIST_LIMIT results, the narrowed base is read once by id and each chosen facet's
matching ids once (with its own rule, criteria's facet_q); counts and results then come from
intersections of those sets. Beyond the limit the filters are chained as SQL. Both must give
the same total, counts, when-counts and ordered results for every filter state.
"""

import datetime
import random

import pytest
from django.core.cache import cache
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services import criteria
from services.catalogue.views import public_services
from services.filters import ServiceFilterSet
from services.models import Location, OpeningPeriod, Service
from tests.factories import (
    make_language,
    make_municipality,
    make_service,
    make_support_type,
    make_target_group,
    make_theme,
)

pytestmark = pytest.mark.django_db

# A Wednesday afternoon in Amsterdam: "vandaag", "deze week" and "nu open" all differ.
NOW = datetime.datetime(2026, 12, 2, 14, 30, tzinfo=criteria.AMSTERDAM)
WORDS = ["", "koffie", "wandelen", "koffie wandelen", "maatje"]


@pytest.fixture
def catalogue():
    rng = random.Random(14)
    north, south = make_municipality("Noorddorp"), make_municipality("Zuiddorp")
    groups = [make_target_group("Iedereen", slug="iedereen"), make_target_group("Ouderen")]
    groups.append(make_target_group("Jongeren"))
    supports = [make_support_type(), make_support_type()]
    themes = [make_theme(), make_theme(), make_theme()]
    languages = [make_language(), make_language()]
    summaries = ["Samen koffie drinken.", "Samen wandelen in het park.", "Een maatje.", "Hulp."]
    for i in range(36):
        where = rng.choice([[north], [south], [north, south], []])
        service = make_service(
            f"Dienst {i:02d} {rng.choice(['koffie', 'wandelen', 'maatje', 'buurt'])}",
            summary=rng.choice(summaries),
            municipalities=where,
            target_groups=rng.sample(groups, rng.randint(1, 2)),
            support_types=rng.sample(supports, rng.randint(0, 2)),
            themes=rng.sample(themes, rng.randint(0, 2)),
            languages=rng.sample(languages, rng.randint(0, 1)),
            cost=rng.choice(list(Service.Cost.values)),
            format=rng.choice(list(Service.Format.values)),
            frequency=rng.choice(list(Service.Frequency.values)),
            provided_by=rng.choice(list(Service.ProvidedBy.values)),
            at_home=rng.random() < 0.4,
            online=rng.random() < 0.3,
            referral_required=rng.random() < 0.3,
            **rng.choice(
                [
                    {},
                    {},
                    {"min_age": 18},
                    {"min_age": 65},
                    {"max_age": 30},
                    {"min_age": 4, "max_age": 12},
                ]
            ),
            status=rng.choice([Service.Status.PUBLISHED] * 5 + [Service.Status.TEMPORARILY_CLOSED]),
        )
        if rng.random() < 0.6:
            place = Location.objects.create(service=service, name=f"Plek {i}")
            for _ in range(rng.randint(1, 3)):
                opens = datetime.time(rng.choice([9, 13, 15, 19]))
                OpeningPeriod.objects.create(
                    location=place,
                    weekday=rng.randint(1, 7),
                    opens=opens,
                    closes=datetime.time(opens.hour + 2),
                )
    return north


def figures(data, municipality, *, by_sql):
    cache.clear()
    filterset = ServiceFilterSet(
        QueryDict(data), queryset=public_services(), default_municipality=municipality, now=NOW
    )
    if by_sql:
        filterset.ID_LIST_LIMIT = 0  # every narrowed base is "too large": chained SQL
    counts = {f.name: {v.value: v.count for v in f.values} for f in filterset.facets()}
    when = {v.value: v.count for v in filterset.when_facet().values}
    return filterset.total(), counts, when, filterset.ordered_ids()


@given(data=st.data())
@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_counts_by_id_sets_equal_the_chained_filters(catalogue, data):
    probe = ServiceFilterSet(None, queryset=public_services(), default_municipality=catalogue)
    params = QueryDict(mutable=True)
    for name in [*ServiceFilterSet.FACETS, "wanneer"]:
        values = [str(key) for key, _label in probe.filters[name].extra["choices"]]
        chosen = data.draw(st.lists(st.sampled_from(values), max_size=2, unique=True), name)
        if chosen:
            params.setlist(name, chosen)
    query = data.draw(st.sampled_from(WORDS), "q")
    if query:
        params["q"] = query
    age = data.draw(st.sampled_from(["", "10", "70"]), "leeftijd")
    if age:
        params["leeftijd"] = age
    encoded = params.urlencode()
    by_ids = figures(encoded, catalogue, by_sql=False)
    by_sql = figures(encoded, catalogue, by_sql=True)
    assert by_ids == by_sql


def test_a_chosen_facet_reads_its_ids_once_not_in_every_count(catalogue):
    """Two facets chosen: the audience's subquery runs once (its id set), where chaining the
    filters repeated it in every count and in the results; on PostgreSQL not at all (the
    term ids come from the facet docs the counts read)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    filterset = ServiceFilterSet(
        QueryDict("doelgroep=ouderen&kosten=gratis"),
        queryset=public_services(),
        default_municipality=catalogue,
        now=NOW,
    )
    with CaptureQueriesContext(connection) as queries:
        filterset.facets()
        filterset.when_facet()
        filterset.ordered_ids()
    audience = [
        q["sql"]
        for q in queries
        if "services_service_target_groups" in q["sql"] and "U0" in q["sql"]
    ]
    assert len(audience) == (0 if connection.vendor == "postgresql" else 1), audience


def test_after_an_edit_unchanged_facet_groups_are_not_rendered_again(catalogue):
    from django.test import Client
    from django.urls import reverse

    from services import versions

    client = Client()
    client.post(reverse("services:municipality"), {"gemeente": catalogue.slug})
    cache.clear()

    def groups_rendered():
        response = client.get(reverse("services:list"), {"kosten": "gratis"})
        assert response.status_code == 200
        return [t.name for t in response.templates].count("services/includes/facet.html")

    assert groups_rendered() >= 10
    versions.bump([catalogue.pk])  # an edit: new counts and ids, the same groups
    assert groups_rendered() == 0
    service = Service.objects.filter(municipalities=catalogue, cost="free").first()
    service.online = not service.online
    service.save()  # changes the "Waar" counts: that group (and the total's) only
    assert 1 <= groups_rendered() <= 3


def test_scalar_facets_count_and_match_from_the_masks_read_with_the_docs(catalogue, postgres_only):
    """On PostgreSQL each service's scalar mask (every scalar value's facet_q, worked out
    on its row) comes with its facet doc: no query counts or matches a scalar facet; the
    property test above checks the figures against the chained filters."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    filterset = ServiceFilterSet(
        QueryDict("kosten=gratis&waar=thuis&waar=online&doelgroep=ouderen"),
        queryset=public_services(),
        default_municipality=catalogue,
        now=NOW,
    )
    with CaptureQueriesContext(connection) as queries:
        filterset.facets()
        filterset.when_facet()
        filterset.ordered_ids()
    sql = [q["sql"] for q in queries]
    assert not [q for q in sql if "COUNT(*) FILTER" in q], sql
    scalar = [q for q in sql if '"services_service"."cost" IN' in q]
    assert scalar and all("services_servicefacets" in q for q in scalar), scalar


def test_without_masks_the_scalar_facets_are_counted_in_one_query_made_once(
    catalogue, postgres_only, monkeypatch
):
    """Where no mask can be read (a rule that needs a join), the scalar counts on ids run
    one query whose text was made once per process, with the same figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data = "kosten=gratis&doelgroep=ouderen"
    with_masks = figures(data, catalogue, by_sql=False)
    monkeypatch.setattr(ServiceFilterSet, "_BITS_SQL", {connection.alias: None})
    ServiceFilterSet._COUNT_SQL.clear()
    for _attempt in range(2):
        cache.clear()
        filterset = ServiceFilterSet(
            QueryDict(""), queryset=public_services(), default_municipality=catalogue, now=NOW
        )
        with CaptureQueriesContext(connection) as queries:
            filterset.facets()
        counts = [q["sql"] for q in queries if "COUNT(*) FILTER" in q["sql"]]
        assert len(counts) == 1
        assert len(ServiceFilterSet._COUNT_SQL) == 1
    assert figures(data, catalogue, by_sql=False) == with_masks


def test_after_an_edit_in_a_municipality_its_view_reads_only_its_local_ids(
    catalogue, postgres_only
):
    """With facets chosen the narrowed base is the services in view: the national ids are
    kept per national version, the local ones read again; the figures stay those of the
    chained filters."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from services import versions

    data = "kosten=gratis&doelgroep=ouderen"
    expected = figures(data, catalogue, by_sql=True)

    def national_reads():
        filterset = ServiceFilterSet(
            QueryDict(data), queryset=public_services(), default_municipality=catalogue, now=NOW
        )
        with CaptureQueriesContext(connection) as queries:
            found = (
                filterset.total(),
                {f.name: {v.value: v.count for v in f.values} for f in filterset.facets()},
                {v.value: v.count for v in filterset.when_facet().values},
                filterset.ordered_ids(),
            )
        national = [
            q["sql"]
            for q in queries
            if "'national'" in q["sql"]
            and not any(other in q["sql"] for other in ("UNION", "servicefacets", "COUNT("))
        ]
        return found, len(national)

    cache.clear()
    assert national_reads() == (expected, 1)
    versions.bump([catalogue.pk])
    assert national_reads() == (expected, 0)


@pytest.mark.parametrize("query", [word for word in WORDS if word])
def test_a_plain_search_reads_its_results_in_order_with_the_match(catalogue, query):
    """Search words alone: the match's own query reads the results in order (no second
    query ranks the same rows), in exactly the order the results' own query gives."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def filterset(data):
        return ServiceFilterSet(
            QueryDict(data), queryset=public_services(), default_municipality=catalogue, now=NOW
        )

    cache.clear()
    searched = filterset(f"q={query}")
    with CaptureQueriesContext(connection) as queries:
        ordered = searched.ordered_ids()
    read_ids = [q for q in queries if q["sql"].startswith('SELECT "services_service"."id" AS "pk"')]
    assert len(read_ids) == 1, [q["sql"] for q in read_ids]
    assert "ORDER BY" in read_ids[0]["sql"]
    again = filterset(f"q={query}")
    again.matched()  # the same words counted
    expected = again.in_order(again.queryset.filter(pk__in=again.matched()["ids"]))
    assert ordered == list(expected.values_list("pk", flat=True))
    assert ordered, "the catalogue fixture has matches for every word"
    # With a facet chosen the same match is shared, and the order comes from the results.
    with_facet = filterset(f"q={query}&kosten=gratis")
    assert with_facet.ordered_ids() == [
        pk for pk in ordered if pk in set(with_facet.qs.values_list("pk", flat=True))
    ]


@pytest.mark.parametrize("data", ["", "gemeente=noorddorp&gemeente=zuiddorp", "pagina=2"])
def test_the_whole_view_is_read_by_name_in_two_halves_in_the_results_order(catalogue, data):
    """Nothing but the municipality narrows the view: its national and local halves are
    read each with its names and ordered together, in the order of the results' own
    query (open services first, then by name)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    filterset = ServiceFilterSet(
        QueryDict(data), queryset=public_services(), default_municipality=catalogue, now=NOW
    )
    with CaptureQueriesContext(connection) as queries:
        ordered = filterset.ordered_ids()
    assert any("UNION" in q["sql"] and '"name"' in q["sql"] for q in queries)
    assert ordered == list(filterset.qs.values_list("pk", flat=True))
    statuses = list(Service.objects.in_bulk(ordered).values())
    assert {s.status for s in statuses} == {
        Service.Status.PUBLISHED,
        Service.Status.TEMPORARILY_CLOSED,
    }


def test_a_sort_or_a_filter_reads_the_view_by_its_own_query(catalogue):
    for data in ["sorteer=cost", "sorteer=verified", "kosten=gratis", "leeftijd=70", "q=koffie"]:
        filterset = ServiceFilterSet(
            QueryDict(data), queryset=public_services(), default_municipality=catalogue, now=NOW
        )
        assert filterset.view_by_name() is None, data
