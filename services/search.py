"""Free-text search over services: one entry point, two engines.

A query is first reduced to the words that count: at most eight plain words, Dutch
stopwords left out ("ik ben eenzaam" is about "eenzaam"). Each word that is not in the
catalogue's own vocabulary is corrected against it ("eenzaamhied" -> "eenzaamheid") or
split into the two catalogue words it is made of ("computerhulp" -> computer, hulp); see
services.spelling. Each word then also stands for the synonyms curators keep (both ways
where they say so). A word that names a filter value ("gratis") is offered as that
filter instead of being required in the text.

PostgreSQL: a weighted tsvector kept by a trigger (Dutch stemming, prefix matching), a
trigram index on the name for compound words ("sport" in "buurtsportcoach"). SQLite:
substring matching on the normalised text columns with light suffix stripping, ranked by
where the match is. Every word must match; when together they find nothing, words that
find nothing at all are left out, and if the rest still find nothing together, services
matching any of them are listed, those matching most words first.

Above the data model and the vocabulary: it reads synonyms and the catalogue's words from
them, and neither imports search (the catalogue, the phone desk and the API call
`searcher()` / `search_queryset()`).
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connections
from django.db.models import Case, F, FloatField, IntegerField, Q, Value, When
from django.db.models.functions import Cast

from . import text, vocabulary
from .models import Synonym

MIN_TYPO_LENGTH = 4
RANK_FIELDS = (("search_name", 8), ("search_summary", 4), ("search_body", 2), ("search_extra", 1))
# In "any word" mode each matched word weighs more than any text rank difference.
COVERAGE_WEIGHT = 100.0


def is_postgres(queryset):
    return connections[queryset.db].vendor == "postgresql"


class Search:
    """One free-text query, split in what matches (`match`) and how it ranks (`rank`).

    Kept apart so a caller can run the (costly) match once, keep the ids, and rank only the
    rows it shows.

    vocabulary: a services.spelling.Vocabulary, or a callable giving it when the query has
    words (None: no correction);
    synonyms: {word: [other words]}, or a callable making it from the (corrected) words;
    filter_words: words that name a filter value; they are not required in the text
    unless the query holds nothing else.
    """

    def __init__(self, query, *, postgres, vocabulary=None, synonyms=None, filter_words=()):
        self.postgres = postgres
        content, self.stopwords = text.query_words(query)
        self.filter_words = [w for w in content if w in filter_words]
        if self.filter_words and len(self.filter_words) < len(content):
            content = [w for w in content if w not in filter_words]
        self.corrections = {}
        self.splits = {}
        terms = []
        if callable(vocabulary) and content:
            vocabulary = vocabulary()
        for word in content:
            found, how = vocabulary.resolve(word) if vocabulary is not None else ([word], "")
            if how == "corrected":
                self.corrections[word] = found[0]
            elif how == "split":
                self.splits[word] = found
            terms.extend(found)
        self.terms = list(dict.fromkeys(terms))[: text.MAX_QUERY_TERMS]
        # True once there are words, even if none of them finds anything (then: no results).
        self.has_words = bool(self.terms)
        if callable(synonyms):
            synonyms = synonyms(self.terms) if self.terms else {}
        self.synonyms = synonyms or {}
        # Set by resolve(): words that found nothing, and whether only some words match.
        self.unmatched = []
        self.partial = False

    def __bool__(self):
        return self.has_words

    # --- what the query became, to tell the visitor ---------------------------------------

    @property
    def corrected_query(self):
        """The words searched for, when a correction changed them (else "")."""
        if not self.corrections:
            return ""
        return " ".join(self.terms)

    def state(self):
        """What resolve() decided, to cache with the matched ids."""
        return {"terms": self.terms, "unmatched": self.unmatched, "partial": self.partial}

    def adopt(self, state):
        self.terms = list(state["terms"])
        self.unmatched = list(state["unmatched"])
        self.partial = state["partial"]

    # --- matching ------------------------------------------------------------------------

    def variants(self, term):
        if self.postgres:
            return [term, *self.synonyms.get(term, [])]
        return list(dict.fromkeys([term, text.stem(term), *self.synonyms.get(term, [])]))

    def resolve(self, candidates, *, narrowed=False, fuzzy=True, assume_found=False):
        """The candidates this query finds, deciding which words count (see the module).

        Leaves self.terms, self.unmatched and self.partial set for rank() and the page.
        assume_found: take the services matching every word without asking first whether
        there are any; a caller whose rows then come out empty asks again without it
        (may_drop_words), which decides as usual."""
        matched = self.match(candidates, narrowed=narrowed, fuzzy=fuzzy)
        if not self.may_drop_words or assume_found or matched.exists():
            return matched
        useful = [
            term
            for term in self.terms
            if candidates.filter(
                self._term_match(candidates, term, narrowed=narrowed, fuzzy=fuzzy)
            ).exists()
        ]
        self.unmatched = [term for term in self.terms if term not in useful]
        self.terms = useful
        if not useful:
            return candidates.none()
        matched = self.match(candidates, narrowed=narrowed, fuzzy=fuzzy)
        if len(useful) < 2 or matched.exists():
            return matched
        self.partial = True
        return self.match(candidates, narrowed=narrowed, fuzzy=fuzzy)

    def match(self, queryset, *, narrowed=False, fuzzy=True):
        """The queryset narrowed to services matching every word (or one of its synonyms);
        any of the words when only some match together (self.partial).

        narrowed: the queryset is already small (one municipality's candidates), so test
        each row; otherwise gather the matches from the indexes first.
        fuzzy: also accept names that are spelled alike (PostgreSQL only).
        """
        if not self.terms:
            return queryset.none()
        if self.partial:
            condition = Q()
            for term in self.terms:
                condition |= self._term_match(queryset, term, narrowed=narrowed, fuzzy=fuzzy)
            return queryset.filter(condition)
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
        # Each way of matching is its own subquery, so each can use its own index (GIN on the
        # tsvector, trigram GIN on the name); an OR over one scan would read every row. The
        # queryset's own model is used, so this module needs no import of it.
        return Q(pk__in=self._index_matches(queryset.model, term, fuzzy=fuzzy))

    def _index_matches(self, model, term, *, fuzzy):
        everything = model._default_manager.all()
        matches = everything.filter(search_vector=self._tsquery(term)).values("pk")
        for variant in self.variants(term):
            matches = matches.union(
                everything.filter(search_name__contains=variant).values("pk"), all=True
            )
        if fuzzy and len(term) >= MIN_TYPO_LENGTH:
            matches = matches.union(
                everything.filter(search_name__trigram_word_similar=term).values("pk"), all=True
            )
        return matches

    def _tsquery(self, term):
        return self._prefix_query(self.variants(term))

    @staticmethod
    def _prefix_query(variants):
        # Stemmed ('dutch') and as typed ('simple'): the stemmer shortens "vergeet" to
        # "verget", which is no prefix of the stored "vergeetacht" (vergeetachtigheid).
        raw = " | ".join(f"{v}:*" for v in variants)
        return SearchQuery(raw, search_type="raw", config="dutch") | SearchQuery(
            raw, search_type="raw", config="simple"
        )

    # --- ranking -------------------------------------------------------------------------

    def rank(self):
        """An expression scoring a matched row: name above summary above essence above the
        rest; in "any word" mode, first by how many of the words the row matches."""
        if not self.terms:
            return Value(0.0, output_field=FloatField())
        rank = self._text_rank()
        if self.partial:
            coverage = Value(0, output_field=IntegerField())
            for term in self.terms:
                coverage = coverage + Case(
                    When(self._term_match(None, term, narrowed=True, fuzzy=False), then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            rank = Cast(coverage, FloatField()) * Value(COVERAGE_WEIGHT) + rank
        return rank

    def _text_rank(self):
        if self.postgres:
            any_query = self._prefix_query([v for term in self.terms for v in self.variants(term)])
            # Word similarity is costly per row: only rows that the words themselves do not
            # match (parts of compound names) are scored by it.
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
            stems = list(dict.fromkeys([text.stem(term), *self.synonyms.get(term, [])]))
            rank = rank + Case(
                *[
                    When(**{f"{f}__contains": stem}, then=Value(w))
                    for f, w in RANK_FIELDS
                    for stem in stems
                ],
                default=Value(0),
            )
        return Cast(rank, FloatField())

    @property
    def may_drop_words(self):
        """True when resolve() may leave words out if they find nothing together."""
        return len(self.terms) >= 2

    def queryset(self, queryset, *, narrowed=False, assume_found=False):
        """`queryset` narrowed to matches and annotated with `rank`; all rows for no words.

        narrowed: the queryset already holds few candidates (see match);
        assume_found: see resolve()."""
        if not self:
            return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
        # Typos are corrected against the vocabulary on both engines, so the catalogue and
        # the phone desk alike leave out PostgreSQL's spelled-alike names (fuzzy).
        matched = self.resolve(queryset, narrowed=narrowed, fuzzy=False, assume_found=assume_found)
        if not self.terms:
            return matched.annotate(rank=Value(0.0, output_field=FloatField()))
        return matched.annotate(rank=self.rank())


def searcher(queryset, query, *, filter_words=(), exact=False, version=None):
    """A Search for this query on `queryset`'s database, with the curators' synonyms and,
    unless exact, typos corrected against the catalogue's words.

    filter_words: words the caller offers as filters rather than requiring them in the text.
    version: the catalogue version, when the caller already read it.
    """
    return Search(
        query,
        postgres=is_postgres(queryset),
        vocabulary=None if exact else (lambda: vocabulary.spelling_vocabulary(version)),
        synonyms=Synonym.objects.expansions,
        filter_words=filter_words,
    )


def search_queryset(queryset, query, *, narrowed=False):
    """Services matching a free-text query, annotated with `rank`; all services for no words.

    narrowed: the queryset already holds few candidates (see Search.match)."""
    return searcher(queryset, query).queryset(queryset, narrowed=narrowed)
