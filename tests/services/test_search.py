import pytest

from services.models import Service, Synonym
from services.search import did_you_mean, search_queryset
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


def test_all_words_must_match(services):
    assert found("luisterlijn praten") == ["De Luisterlijn"]
    assert found("luisterlijn mantelzorg") == []


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


def test_typo_tolerance_and_did_you_mean_on_postgresql(services, postgres_only):
    assert "De Luisterlijn" in found("luistrelijn")
    assert did_you_mean(Service.objects.published(), "luistrelijn") == "De Luisterlijn"
    assert did_you_mean(Service.objects.published(), "luisterlijn") is None


def test_search_uses_the_indexes_on_postgresql(services, postgres_only):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'services_service' AND indexname LIKE 'service_search%%'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert {"service_search_vector_gin", "service_search_name_trgm"} <= names
