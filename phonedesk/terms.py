"""Which search terms may be kept: only terms made entirely of words from a closed vocabulary.

Staff at the phone desk type while a caller talks, and residents type into the catalogue's
search box; either may type a name, an address, a phone number or an e-mail address. So a
term is kept as text only when every word in it is

- a word of the catalogue itself (names, summaries, taxonomies, synonyms), or
- an ordinary Dutch word: a lower-case entry of the OpenTaal Hunspell dictionary
  (Debian's ``hunspell-nl``), an inflection of one (-s, -en, -e, -je, -tje...), or a
  compound of two, and not an entry that OpenTaal also lists as a proper name
  ("jan", "kees", "vries" and "jong" are refused for that reason), except a few function
  words that OpenTaal also lists capitalised ("de", "van", "tot");
- and not a Dutch or Flemish given name or surname in Faker's name lists ("bram", "bakker",
  "visser"): a surname that is also an ordinary word is refused as well, unless the
  catalogue uses it;

and the text has no digit, no "@", no word with other characters inside it (dots, slashes)
and no capital-initial word after the first that is not a catalogue word ("mevrouw Bakker").
Anything else is counted as an unknown word, without its text.

Without the dictionary file the vocabulary is the catalogue's words only: the rule fails
closed, and a system check says so.
"""

import functools
import re
import unicodedata

from django.conf import settings
from django.core import checks

from services import text

# What is stored for a search that had a word outside the vocabulary.
UNKNOWN = ""
TERM_MAX_LENGTH = 100
MIN_WORD_LETTERS = 2
# A longer query is a sentence about someone rather than a search for help.
MAX_WORDS = 5
# Inflections of a dictionary stem that still make the same word.
SUFFIXES = ("etjes", "tjes", "jes", "etje", "tje", "je", "en", "s", "e", "n")
# The linking letters of Dutch compounds: "vrijwilliger-s-werk", "zieken-huis".
LINKS = ("s", "en", "e", "")
MIN_PART = 3
# Grammar words with a capitalised homonym in OpenTaal (a name, an abbreviation): on their
# own they say nothing about anyone; the name that follows them is refused.
FUNCTION_WORDS = frozenset({"de", "van", "tot", "door", "dan", "hun", "al", "te", "den", "meer"})
# Punctuation around a word that does not change it: "hulp," "(rouw)".
EDGE_PUNCTUATION = ".,;:!?\"'()[]{}«»“”‘’"
LETTERS_RE = re.compile(r"^[^\W\d_]+(?:[-'’][^\W\d_]+)*$")


def _plain(word):
    """A dictionary entry as the search compares it: lower case, no accents, "ĳ" as "ij"."""
    word = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in word if not unicodedata.combining(ch)).lower()


@functools.cache
def dictionary():
    """(common words, proper names) from the OpenTaal Hunspell file; empty sets without it."""
    path = getattr(settings, "DUTCH_DICTIONARY", "")
    common, proper = set(), set()
    try:
        with open(path, encoding="utf-8") as handle:
            next(handle, None)  # the first line is the entry count
            for line in handle:
                entry = line.split("/", 1)[0].split("\t", 1)[0].strip()
                if not entry.isalpha():
                    continue
                (proper if entry[0].isupper() else common).add(_plain(entry))
    except OSError:
        return frozenset(), frozenset()
    return frozenset(common), frozenset(proper)


@functools.cache
def names():
    """Given names and surnames of people in the Netherlands and Flanders (Faker's lists)."""
    from faker.providers.person.nl_BE import Provider as Flemish
    from faker.providers.person.nl_NL import Provider as Dutch

    found = set()
    for provider in (Dutch, Flemish):
        for attribute in ("first_names_male", "first_names_female", "first_names", "last_names"):
            for name in getattr(provider, attribute, ()):
                found.update(text.words(name))
    return frozenset(found - FUNCTION_WORDS - {"s"})


@functools.cache
def _blocked():
    """Words never kept on the dictionary's say-so: OpenTaal's proper names and people's names."""
    return dictionary()[1] | names()


def _catalogue_words():
    from services.vocabulary import catalogue_words

    return catalogue_words()


def _stem(word, common, proper):
    """True when word is a common entry, never a proper name, itself or inflected."""
    if word in proper:
        return False
    if word in common:
        return True
    for suffix in SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= MIN_PART and stem in common:
            # "hendriks" is "hendrik" + s, and Hendrik is a name.
            return stem not in proper
    return False


def _compound(word, common, proper):
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        left, right = word[:cut], word[cut:]
        if not _stem(right, common, proper):
            continue
        for link in LINKS:
            stem = left[: len(left) - len(link)] if link else left
            if left.endswith(link) and len(stem) >= MIN_PART and _stem(stem, common, proper):
                return True
    return False


def is_dutch_word(word):
    """True for an ordinary Dutch word (see the module's docstring); word is normalised."""
    if word in FUNCTION_WORDS:
        return True
    common, blocked = dictionary()[0], _blocked()
    return _stem(word, common, blocked) or _compound(word, common, blocked)


def _pieces(query):
    """The whitespace-separated pieces of what was typed, punctuation around them removed."""
    value = unicodedata.normalize("NFKC", str(query or ""))[: text.MAX_QUERY_LENGTH * 4]
    return [piece.strip(EDGE_PUNCTUATION) for piece in value.split()]


def keepable_term(query):
    """The term to count for a query: its normalised words, UNKNOWN, or None for no search.

    None means there is nothing worth counting (no letters at all); UNKNOWN means it was a
    search, but one with a word outside the vocabulary, so only the fact is counted.
    """
    pieces = [piece for piece in _pieces(query) if piece]
    if len("".join(text.words(" ".join(pieces)))) < MIN_WORD_LETTERS and not any(
        ch.isdigit() or ch == "@" for ch in str(query or "")
    ):
        return None
    if any(ch.isdigit() or ch == "@" for ch in str(query or "")):
        return UNKNOWN
    if len(pieces) > MAX_WORDS:
        return UNKNOWN
    catalogue = None
    words = []
    for position, piece in enumerate(pieces):
        if not LETTERS_RE.match(piece):
            return UNKNOWN
        for word in text.words(piece):
            if len(word) < MIN_WORD_LETTERS:
                return UNKNOWN
            if catalogue is None:
                catalogue = _catalogue_words()
            capital = piece[0].isupper()
            if word in catalogue:
                pass
            elif capital and position > 0:
                # A capital inside a query is a name ("mevrouw Bakker") unless the
                # catalogue itself uses the word.
                return UNKNOWN
            elif not is_dutch_word(word):
                return UNKNOWN
            if word not in words:
                words.append(word)
    term = " ".join(words)
    if not words or len(term) > TERM_MAX_LENGTH:
        return UNKNOWN if words else None
    return term


@checks.register(checks.Tags.compatibility)
def check_dictionary(app_configs, **kwargs):
    """Warn when the Dutch dictionary is missing: only catalogue words are kept then."""
    common, _proper = dictionary()
    if common:
        return []
    return [
        checks.Warning(
            "The Dutch dictionary (DUTCH_DICTIONARY) could not be read; search terms are "
            "kept only when every word is a catalogue word.",
            hint="Install Debian's hunspell-nl or point DUTCH_DICTIONARY at an OpenTaal nl.dic.",
            id="phonedesk.W001",
        )
    ]
