"""Free-text search over services: one entry point, two engines.

PostgreSQL: a weighted tsvector kept by a trigger (Dutch stemming, prefix matching), a
trigram index on the name for compound words ("sport" in "buurtsportcoach") and typos
("luistrelijn"). SQLite: substring matching on the normalised text columns with light
suffix stripping, ranked by where the match is. Both expand curator-kept synonyms and
never raise on odd input: the query is reduced to at most eight plain words first.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connections
from django.db.models import Case, F, FloatField, IntegerField, Q, Value, When
from django.db.models.functions import Cast

from . import text

MIN_TYPO_LENGTH = 4
RANK_FIELDS = (("search_name", 8), ("search_summary", 4), ("search_body", 2), ("search_extra", 1))


def synonyms_for(terms):
    """Map each query term to the extra words curators listed for it."""
    from .models import Synonym

    return {
        synonym.term: synonym.alternative_words()
        for synonym in Synonym.objects.filter(term__in=terms)
    }


def is_postgres(queryset):
    return connections[queryset.db].vendor == "postgresql"


def search_queryset(queryset, query):
    terms = text.words(query)
    if not terms:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    synonyms = synonyms_for(terms)
    if is_postgres(queryset):
        return _postgres(queryset, terms, synonyms)
    return _portable(queryset, terms, synonyms)


def _postgres(queryset, terms, synonyms):
    from .models import Service

    queryset_all = Service.objects.all()
    any_terms = []
    for term in terms:
        variants = [term, *synonyms.get(term, [])]
        any_terms.extend(variants)
        tsquery = SearchQuery(
            " | ".join(f"{variant}:*" for variant in variants), search_type="raw", config="dutch"
        )
        # Each way of matching is its own subquery, so each can use its own index (GIN on the
        # tsvector, trigram GIN on the name); an OR over one scan would read every row.
        matches = queryset_all.filter(search_vector=tsquery).values("pk")
        for variant in variants:
            matches = matches.union(
                queryset_all.filter(search_name__contains=variant).values("pk"), all=True
            )
        if len(term) >= MIN_TYPO_LENGTH:
            matches = matches.union(
                queryset_all.filter(search_name__trigram_word_similar=term).values("pk"), all=True
            )
        queryset = queryset.filter(pk__in=matches)
    any_query = SearchQuery(
        " | ".join(f"{variant}:*" for variant in any_terms), search_type="raw", config="dutch"
    )
    phrase = " ".join(terms)
    return queryset.annotate(
        rank=SearchRank(F("search_vector"), any_query)
        + TrigramWordSimilarity(phrase, "search_name")
        + Case(When(search_name__startswith=terms[0], then=Value(1.0)), default=Value(0.0))
    )


def _portable(queryset, terms, synonyms):
    condition = Q()
    rank = Value(0, output_field=IntegerField())
    for term in terms:
        variants = {term, text.stem(term), *synonyms.get(term, [])}
        term_match = Q()
        for variant in variants:
            for field, _weight in RANK_FIELDS:
                term_match |= Q(**{f"{field}__contains": variant})
        condition &= term_match
        stem = text.stem(term)
        rank = rank + Case(
            *[
                When(**{f"{field}__contains": stem}, then=Value(weight))
                for field, weight in RANK_FIELDS
            ],
            default=Value(0),
        )
    return queryset.filter(condition).annotate(rank=Cast(rank, FloatField()))


def did_you_mean(queryset, query):
    """The published name closest to a mistyped query (PostgreSQL only), or None."""
    terms = text.words(query)
    if not terms or not is_postgres(queryset):
        return None
    phrase = " ".join(terms)
    best = (
        queryset.filter(search_name__trigram_word_similar=phrase)
        .annotate(similarity=TrigramWordSimilarity(phrase, "search_name"))
        .order_by("-similarity", "name")
        .values_list("name", "search_name")
        .first()
    )
    if best is None or phrase in best[1]:
        return None
    return best[0]
