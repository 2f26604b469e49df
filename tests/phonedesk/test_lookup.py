"""phonedesk.lookup.find against the search's own steps, and what several words cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phonedesk import lookup
from phonedesk.caller import CallerContext
from services import criteria, ranking
from services.search import search_queryset
from tests.factories import make_service, make_target_group

# Words that find services together, apart, on their own or not at all in the catalogue below.
WORDS = ["maatje", "delft", "baarn", "koffie", "wandelen", "eenzaam", "qqqq", "telefoon"]


@pytest.fixture
def services(catalogue):
    make_service("Koffie-ochtend Delft", municipalities=[catalogue["delft"]], min_age=55)
    make_service("Wandelen tegen eenzaamheid", summary="Samen wandelen en koffie.")
    make_service(
        "Koffie en een maatje",
        municipalities=[catalogue["delft"]],
        low_income_only=True,
        target_groups=[make_target_group("Ouderen (75+)", slug="ouderen-75-plus")],
    )
    make_service("Telefooncirkel", summary="Elke dag een telefoontje.", at_home=True)
    return catalogue


def reference_ids(context, query, limit):
    """The order as find() made it before it took several words' joint match on trust:
    search_queryset (which asks first whether the words find anything together)."""
    person = lookup.caller_person(context)
    queryset = context.apply_toggles(
        search_queryset(lookup.candidates(context), query, narrowed=True)
    )
    queryset = ranking.order(queryset, person, first=[criteria.closed_last()])
    return list(queryset.values_list("pk", flat=True)[: limit + 1])


@given(data=st.data())
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_find_orders_as_the_search_itself(services, data):
    words = data.draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3), "words")
    municipality = data.draw(st.sampled_from([None, "delft", "baarn"]), "municipality")
    context = CallerContext(
        municipality_id=services[municipality].pk if municipality else None,
        age=data.draw(st.sampled_from([None, 10, 40, 70, 82]), "age"),
        no_referral=data.draw(st.booleans(), "no_referral"),
        at_home=data.draw(st.booleans(), "at_home"),
    )
    limit = data.draw(st.sampled_from([1, 2, lookup.RESULT_LIMIT]), "limit")
    query = " ".join(words)
    found = lookup.find(context, query, limit=limit)
    expected = reference_ids(context, query, limit)
    assert found.ids == expected[:limit]
    assert found.more == (len(expected) > limit)


def _find_queries(context, query):
    lookup.find(context, query)  # the vocabulary and the candidate ids into the cache
    with CaptureQueriesContext(connection) as queries:
        found = lookup.find(context, query)
    return found, len(queries)


def test_words_that_match_together_cost_one_query(services):
    context = CallerContext(municipality_id=services["delft"].pk)
    found, queries = _find_queries(context, "maatje delft")
    assert found.ids == [services["local"].pk]
    # Synonyms, the ordered ids: no question beforehand whether the words find anything.
    assert queries == 2


def test_words_that_find_nothing_together_fall_back_as_before(services):
    context = CallerContext(municipality_id=services["delft"].pk)
    found, queries = _find_queries(context, "maatje baarn")
    # "baarn" finds nothing in Delft: left out, "maatje" alone.
    assert {services["national"].pk, services["local"].pk} <= set(found.ids)
    assert found.ids == reference_ids(context, "maatje baarn", lookup.RESULT_LIMIT)
    # Synonyms; the ordered ids of both words (none); then as before: do they find anything
    # together, does each find anything on its own, the ordered ids of "maatje".
    assert queries == 6
