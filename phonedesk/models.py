"""The phone desk's anonymous records: finished calls and daily search-term counts.

Neither model has a field that could identify a caller (no name, number, address, e-mail,
IP address or free text); tests pin the exact field lists.
"""

from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from services.models import Municipality, Service, Theme

from .terms import TERM_MAX_LENGTH

MIN_TERM_CALLS = 3


class AgeBand(models.TextChoices):
    UNDER_18 = "0-17", _("jonger dan 18")
    FROM_18 = "18-49", _("18 tot 50")
    FROM_50 = "50-64", _("50 tot 65")
    FROM_65 = "65-74", _("65 tot 75")
    FROM_75 = "75-84", _("75 tot 85")
    FROM_85 = "85+", _("85 of ouder")

    @classmethod
    def for_age(cls, age):
        """The band an age falls in, or "" for no age."""
        if age is None:
            return ""
        for band in cls:
            low, _sep, high = band.value.rstrip("+").partition("-")
            if age >= int(low) and (not high or age <= int(high)):
                return band.value
        return ""


class Outcome(models.TextChoices):
    REFERRED = "referred", _("Verwezen naar aanbod")
    NO_OFFER = "no_offer", _("Geen passend aanbod")
    INFORMATION = "information", _("Alleen informatie gegeven")


class CallQuerySet(models.QuerySet):
    def between(self, start, end):
        """Calls started on the dates start to end, both included (local time)."""
        return self.filter(started_at__date__gte=start, started_at__date__lte=end)


class Call(models.Model):
    """One finished phone call: what it was about and where it led, never who called."""

    started_at = models.DateTimeField(
        _("begonnen om"),
        db_index=True,
        help_text=_("Afgerond op het kwartier, zodat het gesprek niet te herleiden is."),
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duur in minuten"))
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gemeente van de beller"),
    )
    age_band = models.CharField(
        _("leeftijdsgroep"), max_length=5, choices=AgeBand.choices, blank=True
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="+", verbose_name=_("besproken thema's")
    )
    services = models.ManyToManyField(
        Service, blank=True, related_name="+", verbose_name=_("verwezen naar")
    )
    outcome = models.CharField(_("uitkomst"), max_length=12, choices=Outcome.choices)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("gesprek")
        verbose_name_plural = _("gesprekken")

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} – {self.get_outcome_display()}"


class Source(models.TextChoices):
    DESK = "desk", _("Telefoonteam")
    CATALOGUE = "catalogue", _("Zoeken op de site")


class SearchTermCountQuerySet(models.QuerySet):
    def between(self, start, end):
        return self.filter(day__gte=start, day__lte=end)

    def reportable(self, min_calls=MIN_TERM_CALLS):
        """Known terms summed over the rows, dropping those from fewer than min_calls calls."""
        return (
            self.exclude(term="")
            .values("term")
            .annotate(
                searches=Sum("total"), without_results=Sum("zero_results"), calls=Sum("calls")
            )
            .filter(calls__gte=min_calls)
        )

    def unknown(self):
        """Searches that had a word outside the vocabulary: only how many, never what."""
        return self.filter(term="").aggregate(
            searches=Sum("total", default=0), without_results=Sum("zero_results", default=0)
        )


class SearchTermCount(models.Model):
    """How often a term was searched on one day for one municipality, and from how many calls.

    The term is kept only when every word is in a closed vocabulary (phonedesk.terms);
    otherwise it is blank: "an unknown word", counted without its text.
    """

    day = models.DateField(_("dag"))
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gemeente"),
    )
    source = models.CharField(_("bron"), max_length=10, choices=Source.choices, default=Source.DESK)
    term = models.CharField(_("zoekwoorden"), max_length=TERM_MAX_LENGTH, blank=True)
    total = models.PositiveIntegerField(_("aantal keer gezocht"), default=0)
    calls = models.PositiveIntegerField(
        _("aantal gesprekken of bezoeken"),
        default=0,
        help_text=_("Hoeveel verschillende gesprekken (of bezoekers van de site) zochten hierop."),
    )
    zero_results = models.PositiveIntegerField(_("aantal keer zonder resultaat"), default=0)

    objects = SearchTermCountQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "term"]
        verbose_name = _("zoekterm per dag")
        verbose_name_plural = _("zoektermen per dag")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "municipality", "source", "term"],
                condition=Q(municipality__isnull=False),
                name="searchtermcount_day_place_term",
            ),
            models.UniqueConstraint(
                fields=["day", "source", "term"],
                condition=Q(municipality__isnull=True),
                name="searchtermcount_day_national_term",
            ),
            models.CheckConstraint(
                condition=Q(zero_results__lte=models.F("total")),
                name="searchtermcount_zero_within_total",
            ),
            models.CheckConstraint(
                condition=Q(calls__lte=models.F("total")),
                name="searchtermcount_calls_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.day}: {self.term or '?'} ({self.total})"
