"""The catalogue's own words: every word residents can find something with.

One definition, used by the phone desk (only terms made of known words are ever counted)
and by search (typos are corrected towards these words). The words are normalised like
the search columns (services.text), taken from what the public can find: live services'
names, summaries, texts, providers and taxonomy names, the taxonomies' own names and
explanations, and the synonyms curators keep. Cached per catalogue version.
"""

from django.core.cache import cache

from . import text, versions
from .models import Language, Service, SupportType, Synonym, TargetGroup, Theme

CACHE_SECONDS = 3600


def _collect():
    words = set()

    def add(value):
        words.update(text.WORD_RE.findall(text.normalise(value)))

    rows = Service.objects.live().values_list(
        "search_name", "search_summary", "search_body", "search_extra"
    )
    for row in rows.iterator(chunk_size=2000):
        for value in row:
            add(value)
    for model in (TargetGroup, SupportType, Theme, Language):
        for name, description in model.objects.values_list("name", "description"):
            add(name)
            add(description)
    for term, alternatives in Synonym.objects.values_list("term", "alternatives"):
        add(term)
        add(alternatives)
    return frozenset(word for word in words if not word.isdigit())


def catalogue_words():
    """A frozenset of the normalised words of the catalogue (cached per version: of the whole
    catalogue and of the terms)."""
    key = f"vocabulary:{versions.key_part([])}"
    return cache.get_or_set(key, _collect, CACHE_SECONDS)
