import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.models import Service, Synonym
from services.search import search_queryset, searcher
from tests.factories import make_organisation, make_service, make_theme

pytestmark = pytest.mark.django_db


def found(query):
    return [
        s.name
        for s in search_queryset(Service.objects.published(), query).order_by("-rank", "name")
    ]


@pytest.fixture
def services():
    return {
        "line": make_service("De Luisterlijn", summary="Iemand om mee te praten, dag en nacht."),
        "coach": make_service("Buurtsportcoach", summary="Samen bewegen in de wijk."),
        "carers": make_service(
            "Steunpunt Mantelzorg", summary="Hulp voor wie zorgt voor een ander."
        ),
        "one": make_service("Eén tegen eenzaamheid", summary="Landelijk programma."),
        "client": make_service(
            "Cliëntondersteuning", summary="Een onafhankelijke cliëntondersteuner helpt u."
        ),
        "respite": make_service("Respijtzorg thuis", summary="Even vrij van de zorg."),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("een", "Eén tegen eenzaamheid"),
        ("client", "Cliëntondersteuning"),
        ("CLIËNT", "Cliëntondersteuning"),
        ("sport", "Buurtsportcoach"),
        ("mantelz", "Steunpunt Mantelzorg"),
        ("luisterlijn", "De Luisterlijn"),
        ("praten", "De Luisterlijn"),
    ],
)
def test_search_forgives_accents_case_compounds_and_half_words(services, query, expected):
    assert expected in found(query)


def test_dutch_stemming_finds_other_word_forms(services):
    make_service("Vrijwilligerscentrale", summary="Wij zoeken vrijwilligers voor allerlei klussen.")
    assert "Vrijwilligerscentrale" in found("vrijwilliger")
    assert "Vrijwilligerscentrale" in found("vrijwilligers")


def test_all_words_must_match_when_they_match_together(services):
    assert found("luisterlijn praten") == ["De Luisterlijn"]


def test_words_that_do_not_match_together_give_the_services_matching_most_of_them(services):
    make_service("Luisterlijn voor mantelzorgers", summary="Voor wie zorgt voor een ander.")
    search = searcher(Service.objects.all(), "luisterlijn mantelzorg respijtzorg")
    results = [s.name for s in search.queryset(Service.objects.published()).order_by("-rank")]
    assert search.partial
    # Two of the three words first, then those with one.
    assert results[0] == "Luisterlijn voor mantelzorgers"
    assert set(results[1:]) == {"De Luisterlijn", "Steunpunt Mantelzorg", "Respijtzorg thuis"}


def test_a_word_that_finds_nothing_is_left_out_and_reported(services):
    search = searcher(Service.objects.all(), "luisterlijn qqqxyz")
    assert [s.name for s in search.queryset(Service.objects.published())] == ["De Luisterlijn"]
    assert search.unmatched == ["qqqxyz"]
    assert not search.partial


def test_stopwords_do_not_count_so_a_residents_sentence_finds_services(services):
    assert "De Luisterlijn" in found("Ik zoek iemand om mee te praten")
    assert "Steunpunt Mantelzorg" in found("ik ben mantelzorger en wil hulp")


def test_a_query_of_only_unknown_words_finds_nothing(services):
    assert found("qqqxyz wwwvvv") == []


def test_ranking_puts_name_above_summary_above_essence_above_provider():
    org = make_organisation("Stichting Wandelen")
    in_provider = make_service("Koffie", organisation=org)
    in_essence = make_service("Thee", essence="Na afloop gaan we wandelen in het park.")
    in_summary = make_service("Soep", summary="Eerst wandelen, dan soep.")
    in_name = make_service("Wandelen in het park")
    assert found("wandelen") == [in_name.name, in_summary.name, in_essence.name, in_provider.name]


def test_taxonomy_names_are_searchable():
    theme = make_theme("Rouw en verlies")
    make_service("Praatgroep", themes=[theme])
    assert found("rouw") == ["Praatgroep"]


def test_synonyms_map_plain_words_to_professional_words(services):
    Synonym.objects.create(term="oppas", alternatives="respijtzorg, respijt")
    assert "Respijtzorg thuis" in found("oppas")
    assert found("oppas") == found("oppas")  # stable order


def test_a_two_way_synonym_also_finds_the_plain_word_from_the_professional_one():
    make_service("Soos voor bejaarden")
    make_service("Seniorenclub")
    Synonym.objects.create(term="bejaarden", alternatives="ouderen, senioren", two_way=True)
    assert found("senioren") == ["Seniorenclub", "Soos voor bejaarden"]
    Synonym.objects.filter(term="bejaarden").update(two_way=False)
    assert found("senioren") == ["Seniorenclub"]


def test_english_words_find_dutch_services_through_synonyms(services):
    Synonym.objects.create(term="carer", alternatives="mantelzorg, mantelzorger")
    assert found("carer") == ["Steunpunt Mantelzorg"]


def test_synonym_needs_one_word_and_alternatives():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Synonym(term="twee woorden", alternatives="x").full_clean()
    with pytest.raises(ValidationError):
        Synonym(term="alleen", alternatives="alleen, ,").full_clean()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "\x00",
        "x" * 10_000,
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "a:* & !b | (c",
        "👵🏽☕",
        "עברית عربي",
        "\\",
    ],
)
def test_odd_queries_never_fail(services, query):
    assert isinstance(found(query), list)


@pytest.mark.parametrize(
    ("typed", "meant", "expected"),
    [
        ("luistrelijn", "luisterlijn", "De Luisterlijn"),
        ("eenzaamhied", "eenzaamheid", "Eén tegen eenzaamheid"),
        ("mantelzrog", "mantelzorg", "Steunpunt Mantelzorg"),
        ("respijtzrog", "respijtzorg", "Respijtzorg thuis"),
    ],
)
def test_every_mistyped_word_is_corrected_to_a_catalogue_word_on_both_engines(
    services, typed, meant, expected
):
    search = searcher(Service.objects.all(), f"ik zoek {typed}")
    assert search.corrections == {typed: meant}
    assert expected in found(f"ik zoek {typed}")


def test_a_correctly_spelled_word_is_not_corrected(services):
    assert searcher(Service.objects.all(), "luisterlijn").corrections == {}


def test_searching_exactly_as_typed_skips_the_correction(services):
    assert searcher(Service.objects.all(), "luistrelijn", exact=True).corrections == {}


def test_a_compound_of_two_catalogue_words_is_searched_as_both(services):
    make_service("Hulp bij uw computer", summary="Vrijwilligers helpen u met uw tablet.")
    search = searcher(Service.objects.all(), "computerhulp")
    assert search.splits == {"computerhulp": ["computer", "hulp"]}
    assert found("computerhulp") == ["Hulp bij uw computer"]


def test_search_uses_the_indexes_on_postgresql(services, postgres_only):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'services_service' AND indexname LIKE 'service_search%%'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert {"service_search_vector_gin", "service_search_name_trgm"} <= names


@given(query=st.text(max_size=120))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_query_corrected_split_or_partial_never_fails(services, query):
    search = searcher(Service.objects.all(), query)
    results = list(search.queryset(Service.objects.published(), narrowed=True))
    assert len(results) <= len(services)
    assert all(term.isascii() and term.isalnum() for term in search.terms + search.unmatched)
