"""The catalogue's FilterSet: search, facets with disjunctive counts, age, sort.

Every facet is an explicit django-filter filter. Values are combined with OR inside a facet
and AND across facets. Unknown values are dropped with a notice instead of failing the form,
so an old or hand-edited link still shows results.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, connections
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import criteria, ranking, versions
from .lookups import Ids
from .models import (
    MAX_AGE,
    Language,
    Municipality,
    MunicipalityCount,
    Service,
    ServiceFacets,
    SupportType,
    TargetGroup,
    Theme,
)
from .search import searcher

# Where ServiceFacets.doc keeps the periods and the municipalities.
PERIODS = ServiceFacets.POSITION["periods"]
MUNICIPALITIES = ServiceFacets.POSITION["municipalities"]
# The catalogue reads each doc with the service's scalar mask after it (bits_sql).
SCALAR_MASK = len(ServiceFacets.FIELDS)


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """A multiple choice that keeps the valid values and remembers the rest as `ignored`.

    aliases: older spellings still accepted ({"free": "gratis"}), so old links keep working."""

    max_values = 50

    def __init__(self, *args, aliases=None, **kwargs):
        self.aliases = aliases or {}
        super().__init__(*args, **kwargs)

    def __deepcopy__(self, memo):
        # Every form copies its fields, and ChoiceField copies its choices with them (342
        # municipalities, every term: 10 ms a request). They are tuples of strings that
        # nothing changes in place, so the copy shares them; the rest is copied as usual.
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result

    def clean(self, value):
        # An empty value is no choice (a picker's "– Kies –"), not a value to report.
        values = [str(v) for v in (value or []) if str(v).strip()][: self.max_values]
        values = [self.aliases.get(v, v) for v in values]
        valid = {str(key) for key, _label in self.choices}
        self.ignored = [v for v in values if v not in valid]
        return list(dict.fromkeys(v for v in values if v in valid))


class LenientAgeField(forms.CharField):
    """An age in years; anything that is not a whole number from 0 to 120 is ignored."""

    def clean(self, value):
        value = (value or "").strip()
        self.ignored = []
        if not value:
            return None
        if value.isdigit() and len(value) <= 3 and int(value) <= MAX_AGE:
            return int(value)
        self.ignored = [value[:20]]
        return None


class AgeFilter(django_filters.Filter):
    field_class = LenientAgeField


class FacetFilter(django_filters.MultipleChoiceFilter):
    field_class = LenientMultipleChoiceField

    def __init__(self, *args, facet_q, url_values=None, **kwargs):
        """url_values: {stored value: the Dutch word in links} (kosten=gratis, not free). The
        choices are then offered by those words, and facet_q still gets the stored values;
        the stored values stay accepted in links."""
        if url_values:
            to_stored = {word: value for value, word in url_values.items()}
            kwargs["choices"] = [
                (url_values.get(str(value), value), label) for value, label in kwargs["choices"]
            ]
            kwargs["aliases"] = dict(url_values)
            stored_q = facet_q

            def facet_q(values):
                return stored_q([to_stored.get(value, value) for value in values])

        self.facet_q = facet_q
        kwargs.setdefault("method", "filter_facet")
        super().__init__(*args, **kwargs)


# The words links use for the facets' values: plain Dutch in shared URLs ("kosten=gratis").
URL_VALUES = {
    "vorm": {"individual": "alleen", "group": "groep"},
    "frequentie": {"one_off": "eenmalig", "recurring": "doorlopend"},
    "waar": {
        "at_home": "thuis",
        "out_of_home": "buitenshuis",
        "online": "online",
        "by_phone": "telefonisch",
    },
    "kosten": {"free": "gratis", "subsidised": "korting", "paid": "betaald", "unknown": "onbekend"},
    "door": {"volunteers": "vrijwilligers", "professionals": "beroepskrachten"},
    "bereik": {"national": "landelijk", "local": "gemeente"},
}


def url_value(facet, stored):
    """The word a link uses for a stored facet value (the value itself if it has none)."""
    return URL_VALUES.get(facet, {}).get(stored, stored)


def taxonomy_filter(model, relation, label, terms=list):
    """A facet of one taxonomy: services linked to any of the chosen terms, or to any of the
    terms a choice means (terms(values) -> slugs: the audience adds "iedereen")."""
    through = getattr(Service, relation).through
    column = f"{model._meta.model_name}_id"
    filter_ = FacetFilter(
        label=label, facet_q=lambda values: criteria.taxonomy_q(relation, terms(values))
    )
    filter_.taxonomy = (model, through, column)
    filter_.relation = relation  # its key in ServiceFacets.doc
    filter_.terms = terms
    return filter_


SETTING_FIELDS = criteria.SETTINGS


# Search words that name a filter value: not required in the text (unless the query holds
# nothing else), and offered as that filter instead ("Alleen gratis aanbod tonen?").
FILTER_WORDS = {
    "gratis": ("kosten", "gratis", _("Alleen gratis aanbod tonen?")),
    "kosteloos": ("kosten", "gratis", _("Alleen gratis aanbod tonen?")),
    "online": ("waar", "online", _("Alleen aanbod via internet tonen?")),
    "internet": ("waar", "online", _("Alleen aanbod via internet tonen?")),
    "thuis": ("waar", "thuis", _("Alleen hulp bij u thuis tonen?")),
    "telefonisch": ("waar", "telefonisch", _("Alleen aanbod via de telefoon tonen?")),
    "ouderen": ("doelgroep", "ouderen-75-plus", _("Alleen aanbod voor ouderen tonen?")),
    "jongeren": ("doelgroep", "jongeren", _("Alleen aanbod voor jongeren tonen?")),
    "mantelzorgers": ("doelgroep", "mantelzorgers", _("Alleen aanbod voor mantelzorgers tonen?")),
}


@dataclass
class FilterOffer:
    """A search word offered as the filter it names."""

    word: str
    name: str
    value: str
    question: str


SORT_CHOICES = [
    ("relevance", _("Best passend")),
    ("name", _("Naam (A-Z)")),
    ("cost", _("Kosten (gratis eerst)")),
    ("verified", _("Laatst gecontroleerd")),
]
COST_RANK = Case(
    When(cost=Service.Cost.FREE, then=Value(0)),
    When(cost=Service.Cost.SUBSIDISED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int | None  # None: not counted (offered without a number)
    selected: bool
    description: str = ""
    pick: bool = False  # offered in the facet's picker (a select), not as a checkbox


@dataclass
class Facet:
    name: str
    label: str
    help: str
    values: list = field(default_factory=list)
    picker_label: str = ""

    @property
    def visible_values(self):
        """The checkboxes: values with results, plus the chosen ones (never a dead end)."""
        return [v for v in self.values if not v.pick and (v.count or v.selected)]

    @property
    def picker_values(self):
        """Values offered in one select instead of a checkbox each (the other municipalities:
        342 checkboxes are no choice, and rendering them was most of a page's CPU time);
        those not counted (None) are offered too."""
        return [v for v in self.values if v.pick and (v.count or v.count is None)]

    @property
    def chosen_labels(self):
        """The labels of the chosen values, for the group's summary ("Kosten: Gratis")."""
        return [v.label for v in self.values if v.selected]


def by_ids(ids):
    """Services by id, the ids kept on the queryset (`.ids`): counts on it read the link
    tables by these ids instead of joining back to services."""
    ids = Ids(sorted(ids))  # made into one array parameter once, for the half-dozen counts
    queryset = Service.objects.filter(pk__any_of=ids)
    queryset.ids = ids
    return queryset


@dataclass
class FacetSets:
    """A narrowed base's ids, and for each chosen facet the ids among them that match it
    (read with the facet's own rule, facet_q). Values of one facet combine with OR inside
    facet_q; facets combine with AND, which here is the intersection of their sets."""

    base: set
    chosen: dict

    def matching(self, skip=()):
        """The base's ids that match every chosen facet except those named in skip."""
        result = self.base
        for name, ids in self.chosen.items():
            if name not in skip:
                result = result & ids
        return result


class ServiceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_noop", label=_("Zoek"), max_length=None)
    # "1": search the words as typed, without correcting them ("Zocht u toch ...?").
    precies = django_filters.CharFilter(method="filter_noop", label=_("Precies zoals getypt"))
    doelgroep = taxonomy_filter(
        TargetGroup, "target_groups", _("Voor wie"), terms=criteria.audience_slugs
    )
    steun = taxonomy_filter(SupportType, "support_types", _("Soort steun"))
    steun.extra["aliases"] = SupportType.FORMER_SLUGS
    thema = taxonomy_filter(Theme, "themes", _("Thema"))
    vorm = FacetFilter(
        label=_("Alleen of samen"),
        choices=[(f.value, f.label) for f in (Service.Format.INDIVIDUAL, Service.Format.GROUP)],
        facet_q=criteria.format_q,
        url_values=URL_VALUES["vorm"],
    )
    frequentie = FacetFilter(
        label=_("Hoe vaak"),
        choices=Service.Frequency.choices,
        facet_q=criteria.frequency_q,
        url_values=URL_VALUES["frequentie"],
    )
    waar = FacetFilter(
        label=_("Waar"),
        choices=[
            # capfirst stays lazy, so the label follows the active language.
            (name, capfirst(Service._meta.get_field(name).verbose_name))
            for name in SETTING_FIELDS
        ],
        facet_q=criteria.settings_q,
        url_values=URL_VALUES["waar"],
    )
    kosten = FacetFilter(
        label=_("Kosten"),
        choices=Service.Cost.choices,
        facet_q=criteria.cost_q,
        url_values=URL_VALUES["kosten"],
    )
    door = FacetFilter(
        label=_("Wie helpt"),
        choices=[
            (p.value, p.label)
            for p in (Service.ProvidedBy.VOLUNTEERS, Service.ProvidedBy.PROFESSIONALS)
        ],
        facet_q=criteria.provided_by_q,
        url_values=URL_VALUES["door"],
    )
    bereik = FacetFilter(
        label=_("Landelijk of in de gemeente"),
        choices=Service.Scope.choices,
        facet_q=criteria.scope_q,
        url_values=URL_VALUES["bereik"],
    )
    taal = taxonomy_filter(Language, "languages", _("Taal"))
    zonder_verwijzing = FacetFilter(
        label=_("Verwijzing"),
        choices=[("1", _("Zonder verwijzing of indicatie"))],
        facet_q=criteria.no_referral_q,
    )
    gemeente = FacetFilter(label=_("Gemeente"), facet_q=lambda values: Q())
    # Depends on the clock: applied with the filterset's own moment (filter_facet), counted
    # apart from the cached summary (when_facet) and cached per minute at most.
    wanneer = FacetFilter(
        label=_("Wanneer"),
        choices=[
            (criteria.TODAY, _("Vandaag")),
            (criteria.THIS_WEEK, _("Deze week")),
            (criteria.OPEN_NOW, _("Nu open")),
        ],
        facet_q=lambda values: criteria.when_q(values),
    )
    leeftijd = AgeFilter(method="filter_age", label=_("Leeftijd van de persoon"))
    sorteer = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_noop", label=_("Sorteer op"), empty_label=None
    )

    FACETS = [
        "doelgroep", "steun", "thema", "vorm", "frequentie", "waar", "kosten", "door",
        "bereik", "gemeente", "taal", "zonder_verwijzing",
    ]  # fmt: skip
    HELP = {
        "doelgroep": _("Voor welke groep mensen de dienst bedoeld is."),
        "steun": _("De zeven manieren waarop een dienst kan helpen tegen eenzaamheid."),
        "thema": _("Waar de dienst bij helpt: soorten eenzaamheid en problemen die erbij horen."),
        "vorm": _("Krijgt u de hulp alleen, of doet u het samen met anderen?"),
        "frequentie": _("Eén keer, of steeds weer, bijvoorbeeld elke week."),
        "waar": _("Komt iemand bij u thuis, gaat u ergens heen, of gaat het via internet of telefoon?"),
        "kosten": _("Gratis, met korting of vergoeding (bijvoorbeeld met een stadspas), of betaald."),
        "door": _("Vrijwilligers doen het naast hun werk of in hun vrije tijd; betaalde medewerkers zijn ervoor opgeleid."),
        "bereik": _("Landelijk aanbod is overal te krijgen, vaak via internet of telefoon. Aanbod in de gemeente is bij u in de buurt."),
        "gemeente": _("Laat landelijk aanbod zien en het aanbod in deze gemeenten."),
        "taal": _("In welke taal u geholpen kunt worden."),
        "zonder_verwijzing": _("Een verwijzing of indicatie is een papier van bijvoorbeeld de huisarts of de gemeente. Voor veel hulp is dat niet nodig."),
        "wanneer": _("Vandaag of deze week (tot en met zondag) nog open of bezig, of op dit moment open. Volgens de openingstijden en de keren dat een activiteit plaatsvindt."),
        "leeftijd": _("Vul de leeftijd in van de persoon die hulp zoekt. U ziet dan alleen aanbod voor die leeftijd."),
    }  # fmt: skip

    class Meta:
        model = Service
        fields = []

    def __init__(self, data=None, *args, default_municipality=None, now=None, **kwargs):
        self.default_municipality = default_municipality
        # One moment for the whole request: the when-filter and its counts agree.
        self.now = criteria.when_now(now)
        super().__init__(data, *args, **kwargs)
        (terms,) = versions.current([versions.TERMS])
        self.terms_version = terms
        self._choices = self.CHOICES.get(terms, self.load_choices)
        for name, terms in self._choices.items():
            self.filters[name].extra["choices"] = [
                (t.slug, getattr(t, "display_name", t.name)) for t in terms
            ]
        municipalities = self._choices["gemeente"]
        self.municipality_ids = {m.slug: m.pk for m in municipalities}

    def load_choices(self):
        """The taxonomy terms and municipalities every facet offers."""
        choices = {
            name: list(
                self.filters[name]
                .taxonomy[0]
                .objects.only("name", "slug", "description", "name_en", "description_en")
            )
            for name in ("doelgroep", "steun", "thema", "taal")
        }
        choices["gemeente"] = list(Municipality.objects.only("name", "slug"))
        return choices

    # --- filtering -------------------------------------------------------------------

    def filter_facet(self, queryset, name, value):
        if not value:
            return queryset
        if name == "wanneer":
            return queryset.filter(self.when_q(value))
        return queryset.filter(self.filters[name].facet_q(value))

    # --- when: depends on the clock --------------------------------------------------

    WHEN_SECONDS = 60

    def when_q(self, values):
        return criteria.when_q(values, self.now, session_ids=self.when_session_ids)

    def when_session_ids(self, value, now):
        """The services with a session in the window, shared by every view for a minute:
        the three windows are read together (one query and one pass over the sessions)."""
        stamp = criteria.when_stamp(now)
        memo = self.__dict__.setdefault("_when_sessions", {})
        if stamp not in memo:
            memo[stamp] = cache.get_or_set(
                f"catalogue:when:{stamp}",
                lambda: criteria.sessions_in_windows(criteria.WHEN, now),
                self.WHEN_SECONDS,
            )
        return memo[stamp][value]

    def when_facet(self):
        """The Wanneer facet with counts given every other filter. Not part of the cached
        summary (which holds five minutes): cached per filter state and minute."""
        values = [key for key, _label in self.filters["wanneer"].extra["choices"]]

        def compute():
            base = self.narrowed_base(skip={"wanneer"})
            sets = self.facet_sets(base)
            if sets is not None:
                shared = sets.matching()
                docs = self.facet_docs(shared)
                found = criteria.when_service_ids(
                    values,
                    self.now,
                    self.when_session_ids,
                    within=Ids(sorted(shared)),
                    periods=None if docs is None else {i: docs[i][PERIODS] for i in shared},
                )
                return {value: len(shared & found[value]) for value in values}
            result = self.apply_facets(base).aggregate(
                **{f"n{i}": Count("pk", filter=self.when_q([v])) for i, v in enumerate(values)}
            )
            return {value: result[f"n{i}"] for i, value in enumerate(values)}

        key = self.cache_key(f"when:{criteria.when_stamp(self.now)}", clock=False)
        counts = cache.get_or_set(key, compute, self.WHEN_SECONDS)
        return self._facet("wanneer", counts)

    def clock_part(self):
        """The minute, for keys of results that depend on the clock (a when chosen)."""
        return criteria.when_stamp(self.now) if self.cleaned.get("wanneer") else ""

    def filter_age(self, queryset, name, value):
        return queryset.filter(criteria.age_q(value))

    def filter_noop(self, queryset, name, value):
        """Search and sort are applied in filter_except and sort(), not per filter."""
        return queryset

    def municipality_q(self, slugs):
        """National services plus the local ones of the chosen (or default) municipalities."""
        ids = self.view_municipality_ids(slugs)
        if not ids:
            return Q()
        return Q(pk__in=Service.ids_for_municipalities(ids))

    def view_municipality_ids(self, slugs=None):
        """The municipalities in view: the chosen ones, else the visitor's (may be none)."""
        if slugs is None:
            slugs = self.cleaned.get("gemeente") or []
        ids = [self.municipality_ids[s] for s in slugs if s in self.municipality_ids]
        if not ids and self.default_municipality is not None:
            ids = [self.default_municipality.pk]
        return ids

    @property
    def cleaned(self):
        if not hasattr(self, "_cleaned"):
            self.form.is_valid()
            # An unbound form (the home page) has no cleaned_data: nothing is chosen.
            self._cleaned = dict(getattr(self.form, "cleaned_data", {}))
        return self._cleaned

    def filter_except(self, queryset, skip=()):
        """The queryset with every chosen filter applied except those named in skip."""
        searching = "q" not in skip and self.search
        ids = self.matched_ids() if searching and "gemeente" not in skip else None
        if "gemeente" not in skip and ids is None:
            # Always applied: with no choice in the URL it means the visitor's municipality.
            # The matched ids were found among these services: then they are enough.
            queryset = queryset.filter(self.municipality_q(self.cleaned.get("gemeente") or []))
        for name, value in self.cleaned.items():
            if name in skip or name in ("q", "precies", "sorteer", "gemeente"):
                continue
            if name == "leeftijd":
                queryset = self.filter_age(queryset, name, value)
            elif value:
                queryset = self.filter_facet(queryset, name, value)
        if searching:
            queryset = (
                self.search.match(queryset, fuzzy=self.matched()["fuzzy"])
                if ids is None
                else queryset.filter(pk__any_of=ids)
            )
        return queryset

    @property
    def search(self):
        if not hasattr(self, "_search"):
            self._search = searcher(
                self.queryset,
                self.cleaned.get("q") or "",
                filter_words=FILTER_WORDS,
                exact=self.cleaned.get("precies") == "1",
            )
        return self._search

    def filter_offers(self):
        """The search words that name a filter value not chosen yet, as FilterOffers."""
        offers = []
        for word in self.search.filter_words:
            name, value, question = FILTER_WORDS[word]
            valid = {str(key) for key, _label in self.filters[name].extra["choices"]}
            chosen = self.cleaned.get(name) or []
            fresh = all(offer.value != value for offer in offers)
            if value in valid and value not in chosen and fresh:
                offers.append(FilterOffer(word, name, value, str(question)))
        return offers

    def matched_ids(self):
        """Ids of the published services in the chosen municipalities that the search words
        match, found once per request (None when there are more than ID_LIST_LIMIT)."""
        if not hasattr(self, "_matched_ids"):
            ids = self.matched()["ids"]
            self._matched_ids = None if ids is None else Ids(ids)
        return self._matched_ids

    def matched(self):
        if not hasattr(self, "_matched"):
            self._matched = cache.get_or_set(
                self.cache_key("matched", only={"q", "precies", "gemeente"}),
                self._match_ids,
                self.CACHE_SECONDS,
            )
            if "search" not in self._matched:  # cached by an older version of this code
                self._matched = self._match_ids()
            # Which words counted was decided with the match; cached with it.
            self.search.adopt(self._matched["search"])
        return self._matched

    def _match_ids(self):
        candidates = self.queryset.filter(self.municipality_q(self.cleaned.get("gemeente") or []))
        # Typos are corrected against the vocabulary first (both engines), so spelled-alike
        # names (PostgreSQL's trigram match) are not needed on top.
        matched = self.search.resolve(candidates, narrowed=True, fuzzy=False).order_by()
        limit = self.ID_LIST_LIMIT + 1
        if self.only_searched():
            # The results are the matches themselves: read them in their order in this one
            # query, and keep that for ordered_ids (which read the same rows again to rank
            # them: 11-13 ms for a common word at 100k services).
            limit = max(limit, self.MAX_LISTED)
            matched = self.in_order(matched)
        ids = list(matched.values_list("pk", flat=True)[:limit])
        if self.only_searched():
            cache.set(self.ordered_ids_key(), ids[: self.MAX_LISTED], self.CACHE_SECONDS)
        return {
            "ids": ids if len(ids) <= self.ID_LIST_LIMIT else None,
            "fuzzy": False,
            "search": self.search.state(),
        }

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            if self.facets_chosen() and self.facet_sets(self.narrowed_base()) is not None:
                # The same set as filter_except's, from the ids the counts use.
                queryset = self.apply_facets(self.narrowed_base())
            else:
                queryset = self.filter_except(self.queryset.all())
            self._qs = self.in_order(queryset)
        return self._qs

    def in_order(self, queryset):
        """The queryset in the chosen order (ranked by the search words where they count)."""
        if self.sort_key == "relevance" and self.search.terms:
            queryset = queryset.annotate(rank=self.search.rank())
        return self.sort(queryset)

    def only_searched(self):
        """True when search words are all that narrows the municipality's services."""
        return bool(self.search) and all(name == "gemeente" for name in self.active_names())

    def person(self):
        """What the visitor told about the person help is for (the age), for ranking."""
        return ranking.Person(age=self.cleaned.get("leeftijd"))

    @property
    def sort_key(self):
        chosen = self.cleaned.get("sorteer")
        if chosen == "relevance" and not self.search:
            chosen = None
        return chosen or ("relevance" if self.search else "name")

    def sort(self, queryset):
        """The chosen order; temporarily closed services always come after open ones."""
        key = self.sort_key
        queryset = queryset.alias(closed=criteria.closed_last())
        if key == "relevance":
            return ranking.order(
                queryset, self.person(), ranked=bool(self.search.terms), first=["closed"]
            )
        if key == "cost":
            return queryset.alias(cost_rank=COST_RANK).order_by("closed", "cost_rank", "name", "pk")
        if key == "verified":
            return queryset.order_by("closed", F("verified_at").desc(nulls_last=True), "name", "pk")
        return queryset.order_by("closed", "name", "pk")

    # --- what the page shows ---------------------------------------------------------

    @property
    def ignored_values(self):
        """Values in the URL that do not exist, to tell the visitor they were left out."""
        self.cleaned  # noqa: B018 - runs the form
        ignored = []
        for name, bound in self.form.fields.items():
            for value in getattr(bound, "ignored", []):
                ignored.append((self.filters[name].label, value))
        return ignored

    def active_names(self):
        return [name for name in self.FACETS + ["wanneer", "leeftijd"] if self.cleaned.get(name)]

    # Counts, ids and matches are cached per filter state. The key holds the versions of the
    # municipalities in view, of national services and of the terms (services/versions.py):
    # a change there makes new keys at once, a change in another municipality leaves these
    # warm. The counts the municipality facet shows for municipalities *not* in view may lag
    # by up to CACHE_SECONDS; the results, the total and every other count are exact.
    CACHE_SECONDS = 300

    def cache_key(self, kind, only=None, clock=True):
        state = {
            k: v
            for k, v in self.cleaned.items()
            if k != "sorteer" and v not in (None, "", []) and (only is None or k in only)
        }
        municipality = getattr(self.default_municipality, "pk", None)
        stamp = self.clock_part() if clock and "wanneer" in state else ""
        raw = json.dumps([kind, municipality, state, stamp], sort_keys=True, default=str)
        return f"catalogue:{self.versions_key()}:{hashlib.sha256(raw.encode()).hexdigest()}"

    def versions_key(self):
        """The versions of what this view shows (municipalities in view, national, terms)."""
        if not hasattr(self, "_versions"):
            self.versions_read = versions.read(self.view_municipality_ids())
            self._versions = versions.key_part(None, self.versions_read)
        return self._versions

    def page_versions(self):
        """(scopes, versions) a whole page of this view may be cached under, or None when the
        terms moved while it was being made (sociale_kaart.pagecache)."""
        self.versions_key()
        scopes, values = self.versions_read
        if values[scopes.index(versions.TERMS)] != self.terms_version:
            return None
        return scopes, values

    def total(self):
        """The number of results (cached with the facet counts)."""
        return self.summary()["total"]

    def facets(self):
        """Every facet with each value's count given the other chosen filters (cached)."""
        return self.summary()["facets"]

    # At most this many results are listed (1,000 pages); the count still says how many match.
    MAX_LISTED = 20_000

    def ordered_ids(self):
        """The ids of the results in the chosen order, cached with the counts: a page then
        reads only its own twenty rows."""
        if self.search:
            self.matched()  # first: with search words alone it keeps the ordered ids too
        return cache.get_or_set(self.ordered_ids_key(), self._ordered_ids, self.CACHE_SECONDS)

    def _ordered_ids(self):
        in_view = self.view_by_name()
        if in_view is not None:
            return in_view
        return list(self.qs.values_list("pk", flat=True)[: self.MAX_LISTED])

    def view_by_name(self):
        """The ids of the services in view in the order of sort() by name (open ones
        first), when nothing but the municipality narrows them (the whole view, its later
        pages); else None. Read as two halves, national and local, each from its own index
        with its names, then ordered together: from the view's ids PostgreSQL looked up each
        of them in the name index (2,352 at 100k services: 23 -> 9 ms)."""
        if (
            self.sort_key != "name"
            or self.facets_chosen()
            or not self.narrowed_by_municipality_only(frozenset())
        ):
            return None
        halves = [
            self.queryset.filter(Service.national_q()),
            self.queryset.filter(pk__in=Service.local_ids(self.view_municipality_ids())),
        ]
        rows = [
            half.annotate(closed=criteria.closed_last())
            .order_by()
            .values_list("closed", "name", "pk")
            for half in halves
        ]
        ordered = rows[0].union(rows[1]).order_by("closed", "name", "pk")
        return [pk for _closed, _name, pk in ordered[: self.MAX_LISTED]]

    def ordered_ids_key(self):
        return self.cache_key(f"ids:{self.sort_key}")

    def summary(self):
        if not hasattr(self, "_summary"):
            self._summary = cache.get_or_set(
                self.cache_key("summary"), self.compute_summary, self.CACHE_SECONDS
            )
        return self._summary

    # Up to this many matches, the search runs once and every count reads the ids by primary
    # key; beyond it, each count repeats the search as a subquery.
    ID_LIST_LIMIT = 20_000

    def narrowed_base(self, skip=frozenset()):
        """Services matching search, age, when and municipality, before the facets (and
        without the filters named in skip): evaluated once per request."""
        # Leaving out a filter that is not chosen changes nothing: share that set.
        skip = frozenset(name for name in skip if self.cleaned.get(name))
        memo = self.__dict__.setdefault("_narrowed", {})
        if skip not in memo:
            memo[skip] = self._narrowed_base(skip)
        return memo[skip]

    def facets_chosen(self):
        return any(self.cleaned.get(name) for name in self.FACETS if name != "gemeente")

    def _narrowed_base(self, skip):
        narrowed = self.filter_except(
            self.queryset.all(), skip=(set(self.FACETS) - {"gemeente"}) | skip
        ).order_by()
        if not skip and not self.facets_chosen():
            # Without facets the results are this very set: reuse their (cached) ids.
            ids = self.ordered_ids()
            if len(ids) >= self.MAX_LISTED:
                return narrowed
        elif self.narrowed_by_municipality_only(skip):
            ids = self.view_ids()
            if len(ids) > self.ID_LIST_LIMIT:
                return narrowed
        else:
            ids = list(narrowed.values_list("pk", flat=True)[: self.ID_LIST_LIMIT + 1])
            if len(ids) > self.ID_LIST_LIMIT:
                return narrowed
        return by_ids(ids)

    def narrowed_by_municipality_only(self, skip):
        """True when the narrowed base (without skip) is just the services in view: no
        search words, age or when, and a municipality in view."""
        if "q" not in skip and self.search:
            return False
        others = [name for name in ("leeftijd", "wanneer") if name not in skip]
        if any(self.cleaned.get(name) not in (None, "", []) for name in others):
            return False
        return bool(self.view_municipality_ids())

    def view_ids(self):
        """The ids of the live services in view: the national ones (kept per process and
        national version, see national_docs) and those local to the municipalities in view
        (one small query). The same set as municipality_q's, without reading the 1,873
        national services again after every edit in a municipality."""
        national = self.NATIONAL_IDS.get(
            self.national_key(),
            lambda: frozenset(
                self.queryset.filter(Service.national_q()).order_by().values_list("pk", flat=True)
            ),
        )
        # Unordered: in the model's order (by name) each id's name was read from the table
        # (the national ids 15 ms, from the index alone 1 ms).
        local = (
            self.queryset.filter(pk__in=Service.local_ids(self.view_municipality_ids()))
            .order_by()
            .values_list("pk", flat=True)
        )
        return national.union(local)

    def apply_facets(self, queryset, skip=()):
        """The queryset with the chosen facets applied, but those named in skip. On a
        narrowed base read by id (narrowed_base), by the id sets of facet_sets: the same
        rules, each read once, where chaining them made every count repeat every subquery."""
        sets = self.facet_sets(queryset)
        if sets is not None:
            if not sets.chosen:
                return queryset
            return by_ids(sets.matching(skip))
        for name in self.FACETS:
            value = self.cleaned.get(name)
            if name != "gemeente" and name not in skip and value:
                queryset = self.filter_facet(queryset, name, value)
        return queryset

    def facet_sets(self, base):
        """FacetSets of a narrowed base read by id (None for any other queryset)."""
        if getattr(base, "ids", None) is None:
            return None
        if not hasattr(base, "facet_sets"):
            chosen = {}
            for name in self.FACETS:
                value = self.cleaned.get(name)
                if name != "gemeente" and value:
                    chosen[name] = self.matching_ids(base, name, value)
            base.facet_sets = FacetSets(set(base.ids.values), chosen)
        return base.facet_sets

    def matching_ids(self, base, name, value):
        """The ids of a base read by id that match one facet. A taxonomy's from the term ids
        in the services' facet docs where the database keeps them, by taxonomy_q's test
        (linked to any of the terms the choice means): in SQL the link table's semi-join
        hashed every link of a common term (29,115 for "iedereen" at 100k: 19 ms), and the
        docs are read for the counts anyway. Every other facet by its rule in SQL."""
        filter_ = self.filters[name]
        if getattr(filter_, "taxonomy", None) is not None:
            docs = self.facet_docs(base.ids.values)
            if docs is not None:
                slugs = set(filter_.terms(value))
                wanted = frozenset(t.pk for t in self._choices[name] if t.slug in slugs)
                position = ServiceFacets.POSITION[filter_.relation]
                return {pk for pk in base.ids.values if not wanted.isdisjoint(docs[pk][position])}
        elif name in self.SCALAR:
            masks = self.scalar_masks(base.ids.values)
            bits = self.scalar_bits()
            if masks is not None and all((name, str(v)) in bits for v in value):
                # facet_q of several values is the union of each value's (FacetSets).
                wanted = sum(1 << bits[(name, str(v))] for v in value)
                return {
                    pk for pk, mask in zip(base.ids.values, masks, strict=True) if mask & wanted
                }
        matching = self.filter_facet(base, name, value).order_by()
        return set(matching.values_list("pk", flat=True))

    def compute_summary(self):
        base = self.narrowed_base()
        shared = self.apply_facets(base)
        inactive = [f for f in self.SCALAR if not self.cleaned.get(f)]
        scalar_counts = self._scalar_counts(shared, inactive, with_total=True)
        total = scalar_counts.pop(("", "total"))
        for name in self.SCALAR:
            if self.cleaned.get(name):
                scalar_counts.update(self._scalar_counts(self.apply_facets(base, {name}), [name]))
        facets = []
        for name in self.FACETS:
            if name in self.SCALAR:
                counts = {
                    value: scalar_counts[(name, value)]
                    for value, _ in self.filters[name].extra["choices"]
                }
            elif name == "gemeente":
                # National services count in every municipality; the scope facet's count of
                # them already holds every other filter (the municipality never excludes them).
                scopes = self.cleaned.get("bereik") or []
                landelijk = url_value("bereik", Service.Scope.NATIONAL)
                national = scalar_counts[("bereik", landelijk)]
                if scopes and landelijk not in scopes:
                    national = 0
                counts = self._municipality_counts(shared, national)
            else:
                source = self.apply_facets(base, {name}) if self.cleaned.get(name) else shared
                counts = self._taxonomy_counts(name, source)
            facets.append(self._facet(name, counts))
        return {"facets": facets, "total": total}

    SCALAR = ["vorm", "frequentie", "waar", "kosten", "door", "bereik", "zonder_verwijzing"]

    def _scalar_counts(self, queryset, names, with_total=False):
        """{(facet, value): count} of the services in queryset, and ("", "total"), in one
        query. On a queryset read by id (by_ids) the query's text is made once per process
        from the same facet_q rules: building it through the ORM for every count (25 FILTER
        clauses) took about as long as running it."""
        columns = [("", "total")] if with_total else []
        for name in names:
            columns += [(name, str(value)) for value, _ in self.filters[name].extra["choices"]]
        ids = getattr(queryset, "ids", None)
        masks = None if ids is None or not columns else self.scalar_masks(ids.values)
        if masks is not None:
            # The services sharing one mask (most do: 2,165 services in view, a few hundred
            # masks) are counted together.
            by_mask = Counter(masks)
            bits = self.scalar_bits()
            return {
                (name, value): len(masks)
                if not name
                else sum(n for mask, n in by_mask.items() if mask >> bits[(name, value)] & 1)
                for name, value in columns
            }
        if columns and ids is not None:
            database = connections[queryset.db]
            sql, params = self._count_sql(database, tuple(columns))
            if sql is not None:
                with database.cursor() as cursor:
                    cursor.execute(sql, [*params, ids.literal])
                    return dict(zip(columns, cursor.fetchone(), strict=True))
        aggregates = {
            f"{name}__{value}": Count(
                "pk", filter=self.filters[name].facet_q([value]) if name else None
            )
            for name, value in columns
        }
        if not aggregates:
            return {}
        result = queryset.aggregate(**aggregates)
        return {tuple(key.split("__", 1)): count for key, count in result.items()}

    _COUNT_SQL = {}

    def _count_sql(self, database, columns):
        """(SQL, params) counting each (facet, value) among services given as an array of
        ids (the last parameter), or (None, None) where that cannot be written as plain SQL
        (SQLite's arrays, or a rule that needs a join)."""
        key = (database.alias, columns)
        if key not in self._COUNT_SQL:
            found = (None, None)
            conditions = self._row_conditions(database, tuple(c for c in columns if c[0]))
            if conditions is not None:
                parts, params = [], []
                for name, _value in columns:
                    if not name:
                        parts.append("COUNT(*)")
                        continue
                    where, where_params = conditions.pop(0)
                    parts.append(f"COUNT(*) FILTER (WHERE {where})")
                    params.extend(where_params)
                table = database.ops.quote_name(Service._meta.db_table)
                found = (
                    f"SELECT {', '.join(parts)} FROM {table} "  # noqa: S608
                    f"WHERE {table}.id = ANY(%s::bigint[])",
                    params,
                )
            self._COUNT_SQL[key] = found
        return self._COUNT_SQL[key]

    @classmethod
    def _row_conditions(cls, database, columns):
        """[(SQL, params)] of each (facet, value)'s rule (facet_q) as a condition on a
        service's own row, or None where one cannot be written so (SQLite, whose arrays
        the counts cannot take, or a rule that needs a join)."""
        if database.vendor != "postgresql":
            return None
        conditions = []
        for name, value in columns:
            query = Service.objects.filter(cls.base_filters[name].facet_q([value])).query
            try:
                where, params = query.get_compiler(connection=database).compile(query.where)
            except (EmptyResultSet, FullResultSet):
                return None
            if len(query.alias_map) > 1:
                return None
            conditions.append((where, list(params)))
        return conditions

    @classmethod
    def scalar_bits(cls):
        """{(facet, value): bit} of every scalar facet's values, in a fixed order."""
        if "_SCALAR_BITS" not in cls.__dict__:
            cls._SCALAR_BITS = {
                (name, str(value)): bit
                for bit, (name, value) in enumerate(
                    (name, value)
                    for name in cls.SCALAR
                    for value, _label in cls.base_filters[name].extra["choices"]
                )
            }
        return cls._SCALAR_BITS

    _BITS_SQL = {}

    @classmethod
    def bits_sql(cls, database):
        """(SQL, params) of a service's scalar mask, worked out on its own row with each
        value's rule: bit scalar_bits()[(facet, value)] is set when the service meets it.
        Read with the facet docs (ServiceFacets.docs_for's extra), so the scalar facets'
        counts and matches come from memory: at 100k services counting them in SQL visited
        each of a view's 2,165 rows again (13 ms), and each chosen scalar facet once more.
        None where a rule cannot be written on the row alone: then they are counted in SQL."""
        if database.alias not in cls._BITS_SQL:
            bits = cls.scalar_bits()
            conditions = cls._row_conditions(database, tuple(bits))
            found = None
            if conditions is not None:
                parts, params = [], []
                for ((_name, _value), bit), (where, where_params) in zip(
                    bits.items(), conditions, strict=True
                ):
                    parts.append(f"CASE WHEN {where} THEN {1 << bit} ELSE 0 END")
                    params.extend(where_params)
                found = (f"({' + '.join(parts)})::bigint", params)
            cls._BITS_SQL[database.alias] = found
        return cls._BITS_SQL[database.alias]

    def scalar_masks(self, ids):
        """Each id's scalar mask (bits_sql), in the order of ids, or None where the facet
        docs hold none (SQLite, or rules that need SQL)."""
        if self.bits_sql(connections[self.queryset.db]) is None:
            return None
        docs = self.facet_docs(ids)
        if docs is None:
            return None
        return [docs[pk][SCALAR_MASK] for pk in ids]

    def facet_docs(self, ids):
        """{id: ServiceFacets.doc} holding at least these ids, each read once per request
        (the narrowed base first: every count's ids are among them); None where the
        database keeps no such rows (SQLite): then the counts read the tables.

        The national services' docs (most of every municipality's view) come from
        national_docs; only the local ones are read per request."""
        memo = self.__dict__.setdefault("_facet_docs", {})
        missing = [pk for pk in ids if pk not in memo]
        if missing:
            national = self.national_docs(wanted=len(missing))
            if national is not None:
                memo.update((pk, national[pk]) for pk in missing if pk in national)
                missing = [pk for pk in missing if pk not in memo]
        if missing:
            found = ServiceFacets.docs_for(
                Ids(sorted(missing)), extra=self.bits_sql(connections[self.queryset.db])
            )
            if found is None:
                return None
            memo.update(found)
        return memo

    # The national services' docs, kept per process while their version (and the terms')
    # holds: an edit in a municipality leaves them, so its views read only their local docs
    # (at 100k services, 1,873 of a view's 2,165 docs are national: 35 -> 6 ms after an edit).
    NATIONAL_DOCS = versions.ProcessMemo(CACHE_SECONDS)
    NATIONAL_IDS = versions.ProcessMemo(CACHE_SECONDS)
    # The terms and municipalities every facet offers (load_choices), kept per process under
    # the terms' version: pickling their 386 model instances for the shared cache took three
    # times as long (21 ms) as reading them from the database (7 ms).
    CHOICES = versions.ProcessMemo(CACHE_SECONDS)

    def national_key(self):
        """The versions the national services' ids and docs are kept under in this process."""
        self.versions_key()  # the versions are read before the data, as for every cache
        named = dict(zip(*self.versions_read, strict=True))
        # A view of no municipality depends on "all", which moves with every national edit.
        # The base queryset's SQL too: another caller (search_quality) may list other services.
        if not hasattr(self, "_base_sql"):
            self._base_sql = str(self.queryset.query)
        return (
            self._base_sql,
            named[versions.TERMS],
            named.get(versions.NATIONAL, named.get(versions.ALL)),
        )

    # Reading every national doc pays off for a view of about this many services or more
    # (a municipality's whole view); a search reads its own docs by id, unless they are kept
    # already. At 100k services the 1,168 docs of a common word took 9-11 ms by id, all
    # 1,873 national ones 14-16 ms.
    NATIONAL_DOCS_FROM = 2000

    def national_docs(self, wanted=None):
        """{id: doc} of the live national services, or None: without ServiceFacets rows, or
        when they are not kept yet and `wanted` docs are fewer than NATIONAL_DOCS_FROM."""
        key = self.national_key()
        kept = self.NATIONAL_DOCS.peek(key)
        if kept is not None or (wanted is not None and wanted < self.NATIONAL_DOCS_FROM):
            return kept
        return self.NATIONAL_DOCS.get(
            key,
            lambda: ServiceFacets.docs_of(
                self.queryset.filter(Service.national_q()),
                extra=self.bits_sql(connections[self.queryset.db]),
            ),
        )

    def _taxonomy_counts(self, name, queryset):
        model, through, column = self.filters[name].taxonomy
        ids = getattr(queryset, "ids", None)
        docs = None if ids is None else self.facet_docs(ids.values)
        if docs is not None:
            position = ServiceFacets.POSITION[self.filters[name].relation]
            by_id = Counter(term for pk in ids.values for term in docs[pk][position])
        else:
            rows = (
                through.objects.filter(
                    Q(service_id__any_of=ids)
                    if ids is not None
                    else Q(service_id__in=queryset.values("pk"))
                )
                .values(column)
                .annotate(n=Count("service_id"))
            )
            by_id = {row[column]: row["n"] for row in rows}
        return {term.slug: by_id.get(term.pk, 0) for term in self._choices[name]}

    def _municipality_counts(self, shared, national):
        """Each municipality's count: exact for those in view (from this view's results).
        The others are counted only when nothing is chosen (MunicipalityCount, kept by a
        trigger); with a search or a filter they are offered without a count (None): those
        counts would mean searching the whole country on every new filter state, the
        costliest part of a cold catalogue page (274 to 506 ms at 100k services)."""
        in_view = self.view_municipality_ids()
        by_id = dict(self.country_municipality_counts()) if self.counts_everywhere() else {}
        ids = getattr(shared, "ids", None)
        docs = None if ids is None else self.facet_docs(ids.values)
        if docs is not None:
            wanted = set(in_view)
            exact = Counter(
                pk for sid in ids.values for pk in docs[sid][MUNICIPALITIES] if pk in wanted
            )
        else:
            through = Service.municipalities.through
            rows = (
                through.objects.filter(
                    Q(service_id__any_of=ids)
                    if ids is not None
                    else Q(service_id__in=shared.order_by().values("pk")),
                    municipality_id__in=in_view,
                )
                .values("municipality_id")
                .annotate(n=Count("service_id"))
            )
            exact = {row["municipality_id"]: row["n"] for row in rows}
        by_id.update({pk: exact.get(pk, 0) for pk in in_view})
        return {
            m.slug: (by_id[m.pk] + national if by_id[m.pk] else 0) if m.pk in by_id else None
            for m in self._choices["gemeente"]
        }

    def counts_everywhere(self):
        """True when every municipality's count is cheap: nothing but municipalities chosen."""
        return not any(
            value not in (None, "", [])
            for name, value in self.cleaned.items()
            if name not in ("sorteer", "gemeente")
        )

    def country_municipality_counts(self):
        """{municipality id: its live local services}, over the whole country, for the
        municipality facet when nothing is chosen (counts_everywhere). The same for every
        municipality's view: cached under the terms' version and shared by all of them; an
        edit elsewhere shows in it within CACHE_SECONDS."""
        (terms,) = versions.current([versions.TERMS])
        key = f"catalogue:terms={terms}:country-municipality-counts"

        def compute():
            if connection.vendor == "postgresql" and self.lists_live_services():
                # The counts a trigger keeps (MunicipalityCount, migration 0017), without
                # counting 100k services.
                return dict(
                    MunicipalityCount.objects.values_list("municipality_id", "live_services")
                )
            rows = (
                Service.municipalities.through.objects.filter(
                    service_id__in=self.queryset.order_by().values("pk")
                )
                .values("municipality_id")
                .annotate(n=Count("service_id"))
            )
            return {row["municipality_id"]: row["n"] for row in rows}

        return cache.get_or_set(key, compute, self.CACHE_SECONDS)

    def lists_live_services(self):
        """True when this filter set's base is exactly the live services (the catalogue's)."""
        return str(self.queryset.query) == str(Service.objects.live().query)

    def _facet(self, name, counts):
        chosen = set(self.cleaned.get(name) or [])
        descriptions = {
            t.slug: getattr(t, "display_description", "") for t in self._choices.get(name, [])
        }
        picked = set()
        if name == "gemeente":
            in_view = set(self.view_municipality_ids())
            picked = {m.slug for m in self._choices["gemeente"] if m.pk not in in_view}
        values = [
            FacetValue(
                str(value),
                str(label),
                counts.get(str(value), 0),
                str(value) in chosen,
                descriptions.get(value, ""),
                pick=str(value) in picked and str(value) not in chosen,
            )
            for value, label in self.filters[name].extra["choices"]
        ]
        return Facet(
            name=name,
            label=str(self.filters[name].label),
            help=str(self.HELP.get(name, "")),
            values=values,
            picker_label=str(self.PICKER_LABELS.get(name, "")),
        )

    PICKER_LABELS = {"gemeente": _("Andere gemeente kiezen")}
