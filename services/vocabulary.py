"""The catalogue's own words: every word residents can find something with.

One definition, used by the phone desk (only terms made of known words are ever counted)
and by search (typos are corrected towards these words). The words are normalised like
the search columns (services.text), taken from what the public can find: live services'
names, summaries, texts, providers and taxonomy names, the taxonomies' own names and
explanations, and the synonyms curators keep. Cached per catalogue version.

On PostgreSQL the services' words come from a table a trigger keeps exact on every write
(services.models.VocabularyWord, migration 0016): a cold cache reads one small table instead
of every service. SQLite collects them from the services, as the table's definition.
"""

from collections import Counter

from django.core.cache import cache
from django.db import connection

from . import text, versions
from .models import Language, Service, SupportType, Synonym, TargetGroup, Theme, VocabularyWord
from .spelling import Vocabulary

CACHE_SECONDS = 3600


def service_words():
    """Counter of the words in the live services' search columns, counted from the services
    (what the PostgreSQL table holds; seconds at 100k services)."""
    words = Counter()
    rows = Service.objects.live().values_list(
        "search_name", "search_summary", "search_body", "search_extra"
    )
    for row in rows.iterator(chunk_size=2000):
        # The search columns are stored normalised (Service.save, the synthetic writer):
        # normalising them again took most of the time (3.3 s of 3.4 at 10k services).
        words.update(text.WORD_RE.findall(" ".join(row)))
    return words


def stored_service_words():
    """The same Counter, read from the trigger-kept table (PostgreSQL)."""
    return Counter(dict(VocabularyWord.objects.values_list("word", "count")))


def term_texts():
    """The taxonomies' names and explanations and the synonyms, as stored, in one query
    and a fixed order: what term_words are made of."""
    rows = (
        Synonym.objects.order_by()
        .values_list("term", "alternatives")
        .union(
            *(
                model.objects.order_by().values_list("name", "description")
                for model in (TargetGroup, SupportType, Theme, Language)
            ),
            all=True,
        )
    )
    return tuple(sorted(value for row in rows for value in row))


def term_words(texts=None):
    """Counter of the words of the taxonomies (names and explanations) and the synonyms
    (texts: term_texts(), when the caller read them): they change only with the terms'
    version, so they are kept under it (an edit of a service leaves them; normalising them
    was most of a rebuild after every edit)."""
    words = Counter()
    for value in term_texts() if texts is None else texts:
        words.update(text.WORD_RE.findall(text.normalise(value)))
    return words


def _without_digits(words):
    return {word: count for word, count in words.items() if not word.isdigit()}


def _collect():
    """{word: how often it occurs}: search corrects a typo towards the commonest near word."""
    words = stored_service_words() if connection.vendor == "postgresql" else service_words()
    (terms,) = versions.current([versions.TERMS])
    words.update(cache.get_or_set(f"vocabulary-terms:{terms}", term_words, CACHE_SECONDS))
    return _without_digits(words)


def _counts(version):
    return cache.get_or_set(f"vocabulary-counts:{version}", _collect, CACHE_SECONDS)


def catalogue_words():
    """A frozenset of the normalised words of the catalogue (cached per version)."""
    return frozenset(_counts(versions.key_part([])))


# The spelling index of the current catalogue version, kept in this process: building it
# sorts every word, which is worth doing once per version rather than once per search.
_SPELLING = versions.ProcessMemo(CACHE_SECONDS)
# The same index by what it is made of (PostgreSQL): a new version whose words are the same
# (an edit that adds no word, a shared cache that lost its keys) finds it again by reading
# those words (two small tables) instead of normalising the term texts and building it anew
# (12-14 ms at 100k services, in every search after every edit anywhere).
_SPELLING_BY_WORDS = versions.ProcessMemo(CACHE_SECONDS)


def spelling_vocabulary(version=None):
    """A services.spelling.Vocabulary of the catalogue's words (with their counts).

    version: the catalogue version (services.versions.key_part) when the caller already read
    it (saves a round trip to the cache)."""
    if version is None:
        version = versions.key_part([])
    return _SPELLING.get(version, lambda: _spelling_by_words(version))


def _spelling_by_words(version):
    if connection.vendor != "postgresql":
        return Vocabulary(_counts(version))
    stored = tuple(VocabularyWord.objects.order_by("word").values_list("word", "count"))
    texts = term_texts()

    def build():
        words = Counter(dict(stored))
        words.update(term_words(texts))
        return Vocabulary(_without_digits(words))

    return _SPELLING_BY_WORDS.get((stored, texts), build)
