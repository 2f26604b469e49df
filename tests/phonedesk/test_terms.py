"""Which search terms may be kept as text: only those made of closed-vocabulary words."""

import pytest
from django.test import override_settings

from phonedesk import terms
from phonedesk.terms import UNKNOWN, keepable_term


@pytest.fixture
def words(catalogue):
    """The catalogue fixture's services are about 'maatje'; its theme is 'Eenzaamheid'."""
    return catalogue


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("maatje", "maatje"),
        ("Maatje", "maatje"),
        ("  MAATJE!  ", "maatje"),
        ("vervoer zondag", "vervoer zondag"),
        ("hulp bij de boodschappen", "hulp bij de boodschappen"),
        ("rouwverwerking", "rouwverwerking"),
        ("vrijwilligerswerk", "vrijwilligerswerk"),
        ("wandelgroep voor ouderen", "wandelgroep voor ouderen"),
        ("Eenzaamheid Delft", "eenzaamheid delft"),
    ],
)
def test_ordinary_and_catalogue_words_are_kept(words, typed, kept):
    assert keepable_term(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        # Names, typed as staff would while a caller spells them.
        "Jan de Vries",
        "jan de vries",
        "mevrouw Bakker",
        "meneer visser",
        "Fatima El Amrani",
        "fatima",
        "Mohammed Yılmaz",
        "henk dijkstra",
        "annemarie jansen-visser",
        "Kees van den Berg",
        "piet hendriks",
        "J. Jansen",
        # Addresses and postcodes.
        "Kerkstraat 12",
        "kerkstraat 12a",
        "Dorpsstraat 3 bis",
        "2611 AB",
        "2611AB Delft",
        # Phone numbers in every notation.
        "0612345678",
        "06-12345678",
        "06 12 34 56 78",
        "+31 6 12345678",
        "+31612345678",
        "0031 6 1234 5678",
        "(015) 212 34 56",
        "015-2123456",
        "06‑12345678",
        "٠٦١٢٣٤٥٦٧٨",
        "06²",
        # E-mail and web addresses.
        "jan@example.nl",
        "jan.jansen at gmail punt com maatje",
        "j.devries@hotmail.com maatje",
        "www.jansen.nl",
        # A sentence about someone rather than a search.
        "zij woont alleen sinds haar man is overleden vorig jaar",
    ],
)
def test_anything_that_could_name_someone_is_kept_without_text(words, typed):
    assert keepable_term(typed) == UNKNOWN


@pytest.mark.parametrize("typed", ["", "   ", "!", "a", "\x00"])
def test_no_letters_is_not_a_search(words, typed):
    assert keepable_term(typed) is None


def test_a_name_the_catalogue_uses_is_a_catalogue_word(words):
    # "Delft" is a municipality and part of a service's name, so the catalogue knows it.
    assert keepable_term("maatje Delft") == "maatje delft"


def test_without_the_dictionary_only_catalogue_words_are_kept(words, tmp_path):
    terms.dictionary.cache_clear()
    terms._blocked.cache_clear()
    try:
        with override_settings(DUTCH_DICTIONARY=str(tmp_path / "missing.dic")):
            assert keepable_term("maatje") == "maatje"
            assert keepable_term("vervoer zondag") == UNKNOWN
            from phonedesk.terms import check_dictionary

            assert [warning.id for warning in check_dictionary(None)] == ["phonedesk.W001"]
    finally:
        terms.dictionary.cache_clear()
        terms._blocked.cache_clear()
