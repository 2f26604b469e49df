"""Free-text search over services: one entry point, two engines.

PostgreSQL: a weighted tsvector kept by a trigger (Dutch stemming, prefix matching), a
trigram index on the name for compound words ("sport" in "buurtsportcoach") and typos
("luistrelijn"). SQLite: substring matching on the normalised text columns with light
suffix stripping, ranked by where the match is. Both expand curator-kept synonyms and
never raise on odd input: the query is reduced to at most eight plain words first.

Above the data model: it reads synonyms from it, and the model never imports search (the
catalogue, the phone desk and the API call `searcher()` / `search_queryset()`).
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connections
from django.db.models import Case, F, FloatField, IntegerField, Q, Value, When
from django.db.models.functions import Cast

from . import text
from .models import Synonym

MIN_TYPO_LENGTH = 4
RANK_FIELDS = (("search_name", 8), ("search_summary", 4), ("search_body", 2), ("search_extra", 1))


def is_postgres(queryset):
    return connections[queryset.db].vendor == "postgresql"


class Search:
    """One free-text query, split in what matches (`match`) and how it ranks (`rank`).

    Kept apart so a caller can run the (costly) match once, keep the ids, and rank only the
    rows it shows.
    """

    def __init__(self, query, *, postgres, synonyms=None):
        self.terms = text.words(query)
        self.synonyms = synonyms or {}
        self.postgres = postgres

    def __bool__(self):
        return bool(self.terms)

    def variants(self, term):
        if self.postgres:
            return [term, *self.synonyms.get(term, [])]
        return list(dict.fromkeys([term, text.stem(term), *self.synonyms.get(term, [])]))

    def match(self, queryset, *, narrowed=False, fuzzy=True):
        """The queryset narrowed to services matching every word (or one of its synonyms).

        narrowed: the queryset is already small (one municipality's candidates), so test
        each row; otherwise gather the matches from the indexes first.
        fuzzy: also accept names that are spelled alike (typos; PostgreSQL only).
        """
        for term in self.terms:
            queryset = queryset.filter(
                self._term_match(queryset, term, narrowed=narrowed, fuzzy=fuzzy)
            )
        return queryset

    def _term_match(self, queryset, term, *, narrowed=False, fuzzy=True):
        if self.postgres and narrowed:
            condition = Q(search_vector=self._tsquery(term))
            for variant in self.variants(term):
                condition |= Q(search_name__contains=variant)
            if fuzzy and len(term) >= MIN_TYPO_LENGTH:
                condition |= Q(search_name__trigram_word_similar=term)
            return condition
        if not self.postgres:
            condition = Q()
            for variant in self.variants(term):
                for field, _weight in RANK_FIELDS:
                    condition |= Q(**{f"{field}__contains": variant})
            return condition
        everything = queryset.model._default_manager.all()
        tsquery = self._tsquery(term)
        # Each way of matching is its own subquery, so each can use its own index (GIN on the
        # tsvector, trigram GIN on the name); an OR over one scan would read every row.
        matches = everything.filter(search_vector=tsquery).values("pk")
        for variant in self.variants(term):
            matches = matches.union(
                everything.filter(search_name__contains=variant).values("pk"), all=True
            )
        if fuzzy and len(term) >= MIN_TYPO_LENGTH:
            matches = matches.union(
                everything.filter(search_name__trigram_word_similar=term).values("pk"), all=True
            )
        return Q(pk__in=matches)

    def _tsquery(self, term):
        return SearchQuery(
            " | ".join(f"{v}:*" for v in self.variants(term)), search_type="raw", config="dutch"
        )

    def rank(self):
        """An expression scoring a matched row: name above summary above essence above the rest."""
        if not self.terms:
            return Value(0.0, output_field=FloatField())
        if self.postgres:
            any_query = SearchQuery(
                " | ".join(f"{v}:*" for term in self.terms for v in self.variants(term)),
                search_type="raw",
                config="dutch",
            )
            # Word similarity is costly per row: only rows that the words themselves do not
            # match (typos, parts of compound names) are scored by it.
            return Case(
                When(
                    search_vector=any_query,
                    then=SearchRank(F("search_vector"), any_query)
                    + Case(
                        When(search_name__startswith=self.terms[0], then=Value(1.0)),
                        default=Value(0.0),
                    ),
                ),
                default=TrigramWordSimilarity(" ".join(self.terms), "search_name") * Value(0.5),
                output_field=FloatField(),
            )
        rank = Value(0, output_field=IntegerField())
        for term in self.terms:
            stem = text.stem(term)
            rank = rank + Case(
                *[When(**{f"{f}__contains": stem}, then=Value(w)) for f, w in RANK_FIELDS],
                default=Value(0),
            )
        return Cast(rank, FloatField())

    def queryset(self, queryset, *, narrowed=False):
        """`queryset` narrowed to matches and annotated with `rank`; all rows for no words.

        narrowed: the queryset already holds few candidates (see match)."""
        if not self:
            return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
        return self.match(queryset, narrowed=narrowed).annotate(rank=self.rank())


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


def searcher(queryset, query):
    """A Search for this query on `queryset`'s database, with the curators' synonyms."""
    words = text.words(query)
    return Search(
        query,
        postgres=is_postgres(queryset),
        synonyms=Synonym.objects.expansions(words) if words else {},
    )


def search_queryset(queryset, query, *, narrowed=False):
    """Services matching a free-text query, annotated with `rank`; all services for no words.

    narrowed: the queryset already holds few candidates (see Search.match)."""
    return searcher(queryset, query).queryset(queryset, narrowed=narrowed)
