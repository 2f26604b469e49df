"""The terms residents filter on, and the plain words they search with."""

from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .. import text
from .base import unique_slug


class Taxonomy(models.Model):
    """A term residents can filter on, with a plain explanation shown beside the filter."""

    name = models.CharField(_("naam"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.CharField(
        _("uitleg"),
        max_length=300,
        blank=True,
        help_text=_("Eén of twee korte zinnen in eenvoudige taal. Wordt bij het filter getoond."),
    )
    # The English interface shows these; empty means the Dutch text is shown instead.
    name_en = models.CharField(_("naam in het Engels"), max_length=100, blank=True)
    description_en = models.CharField(_("uitleg in het Engels"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    uuid = models.UUIDField(_("UUID"), default=uuid4, unique=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(type(self), self.name, self.pk)
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        """The name in the active interface language (Dutch when no English name is set)."""
        return (english() and self.name_en) or self.name

    @property
    def display_description(self):
        return (english() and self.description_en) or self.description


def english():
    return (get_language() or "").startswith("en")


class TargetGroup(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("doelgroep")
        verbose_name_plural = _("doelgroepen")


class SupportType(Taxonomy):
    """One of Movisie's seven ways of support."""

    # The slugs were English codes until links were made Dutch (steun=praktische-hulp):
    # old links and old databases still use these.
    FORMER_SLUGS = {
        "practical": "praktische-hulp",
        "social-skills": "sociale-vaardigheden",
        "meeting": "ontmoeten",
        "personal-contact": "persoonlijk-contact",
        "valued-role": "zinvolle-rol",
        "activities": "iets-te-doen",
        "expectations": "verwachtingen",
    }

    class Meta(Taxonomy.Meta):
        verbose_name = _("soort steun")
        verbose_name_plural = _("soorten steun")


class Theme(Taxonomy):
    """A kind of loneliness or a related problem (debts, caring, grief, language, ...)."""

    class Meta(Taxonomy.Meta):
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")


class Language(Taxonomy):
    code = models.CharField(
        _("taalcode"), max_length=8, unique=True, help_text=_("ISO 639-1, bijvoorbeeld nl of en.")
    )

    class Meta(Taxonomy.Meta):
        verbose_name = _("taal")
        verbose_name_plural = _("talen")


class SynonymQuerySet(models.QuerySet):
    def expansions(self, terms):
        """{term: [extra words]} for the query terms curators listed synonyms for.

        A synonym that works both ways also expands each of its alternatives: "senioren"
        finds bejaarden and ouderen when "bejaarden: ouderen, senioren" works both ways."""
        terms = list(terms)
        if not terms:
            return {}
        either = Q(term__in=terms)
        for term in terms:
            either |= Q(two_way=True, alternatives__icontains=term)
        found = {}
        for synonym in self.filter(either):
            alternatives = synonym.alternative_words()
            if synonym.term in terms:
                found.setdefault(synonym.term, []).extend(alternatives)
            if synonym.two_way:
                for term in terms:
                    if term in alternatives:
                        others = [synonym.term] + [w for w in alternatives if w != term]
                        found.setdefault(term, []).extend(others)
        return {term: list(dict.fromkeys(words)) for term, words in found.items()}


class Synonym(models.Model):
    """A plain word residents type, searched as the professional words it stands for."""

    term = models.CharField(
        _("woord van inwoners"),
        max_length=60,
        unique=True,
        help_text=_("Eén woord, zoals een inwoner het zou typen. Bijvoorbeeld: alleen."),
    )
    alternatives = models.CharField(
        _("zoek ook op"),
        max_length=300,
        help_text=_("Woorden gescheiden door komma's. Bijvoorbeeld: eenzaam, eenzaamheid."),
    )
    two_way = models.BooleanField(
        _("ook andersom"),
        default=False,
        help_text=_(
            "Aan: wie een van de andere woorden zoekt, vindt ook dit woord en de rest. "
            "Bijvoorbeeld: wie senioren zoekt, vindt ook bejaarden en ouderen. Uit laten "
            "voor een woord dat vaak iets anders betekent, zoals alleen."
        ),
    )

    objects = SynonymQuerySet.as_manager()

    class Meta:
        ordering = ["term"]
        verbose_name = _("synoniem")
        verbose_name_plural = _("synoniemen")

    def __str__(self):
        return f"{self.term} → {self.alternatives}"

    def clean(self):
        self.term = text.normalise(self.term)
        if len(text.words(self.term)) != 1:
            raise ValidationError({"term": _("Vul precies één woord in.")})
        if not self.alternative_words():
            raise ValidationError({"alternatives": _("Vul minstens één ander woord in.")})

    def alternative_words(self):
        found = []
        for part in self.alternatives.split(","):
            for word in text.words(part):
                if word != self.term and word not in found:
                    found.append(word)
        return found
