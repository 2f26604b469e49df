"""The spelling corrector and the query words, on their own (no database)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services import text
from services.spelling import Vocabulary

VOCABULARY = Vocabulary(
    {
        "eenzaamheid": 30,
        "eenzaam": 12,
        "mantelzorg": 9,
        "mantelzorger": 4,
        "computer": 3,
        "hulp": 40,
        "ouderen": 9,
        "vereniging": 1,
        "dementie": 2,
        "stadspark": 1,
        "koffieochtend": 1,
        "koffie": 20,
        "luisterlijn": 1,
    }
)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("eenzaamhied", "eenzaamheid"),  # two letters swapped
        ("eenzam", "eenzaam"),  # one letter missing
        ("koffieochtent", "koffieochtend"),  # one letter wrong
        ("luistrelijn", "luisterlijn"),
        ("mantelzrog", "mantelzorg"),
        ("demensie", "dementie"),
    ],
)
def test_a_mistyped_word_is_corrected_to_the_catalogue_word(typed, meant):
    assert VOCABULARY.resolve(typed) == ([meant], "corrected")


def test_known_words_and_the_start_of_known_words_are_left_alone():
    assert VOCABULARY.resolve("eenzaam") == (["eenzaam"], "known")
    assert VOCABULARY.resolve("mantelz") == (["mantelz"], "known")


def test_a_compound_is_split_into_the_catalogue_words_it_is_made_of():
    assert VOCABULARY.resolve("computerhulp") == (["computer", "hulp"], "split")
    assert VOCABULARY.resolve("ouderenvereniging") == (["ouderen", "vereniging"], "split")


def test_a_word_too_far_from_any_catalogue_word_is_searched_as_typed():
    # Two edits from "stadspark", which is too far for an eight-letter word.
    assert VOCABULARY.resolve("stadspas") == (["stadspas"], "unknown")
    assert VOCABULARY.resolve("xyz") == (["xyz"], "unknown")


def test_of_equally_close_words_the_commonest_wins():
    vocabulary = Vocabulary({"praten": 10, "platen": 1})
    assert vocabulary.correct("praaten") == "praten"
    assert Vocabulary({"praten": 1, "platen": 10}).correct("pmaten") == "platen"


def test_stopwords_do_not_count_unless_nothing_else_is_left():
    assert text.query_words("Ik ben eenzaam") == (["eenzaam"], ["ik", "ben"])
    assert text.query_words("iemand om mee te praten")[0] == ["praten"]
    assert text.query_words("waar doe ik het voor")[0] == ["waar", "doe", "ik", "het", "voor"]


@given(st.text(max_size=300))
def test_any_input_gives_words_and_corrections_without_failing(value):
    words, _dropped = text.query_words(value)
    assert len(words) <= text.MAX_QUERY_TERMS
    for word in words:
        found, how = VOCABULARY.resolve(word)
        assert found and how in {"known", "corrected", "split", "unknown"}
