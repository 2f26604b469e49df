"""The service (the unit residents see), its querysets, locations and opening hours."""

import datetime
from uuid import uuid4

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from .. import text
from ..validators import (
    normalise_postcode,
    validate_no_control_characters,
    validate_phone,
    validate_postcode,
    validate_single_line,
)
from .base import LIVE_STATUSES, MAX_AGE, unique_slug
from .organisation import Organisation
from .places import Municipality
from .taxonomy import Language, SupportType, TargetGroup, Theme


class ServiceQuerySet(models.QuerySet):
    def published(self):
        """Services the public may see."""
        return self.filter(status=Service.Status.PUBLISHED)

    def for_municipality(self, municipality):
        """National services plus the local ones of this municipality (None: all)."""
        if municipality is None:
            return self
        return self.filter(pk__in=Service.ids_for_municipalities([municipality]))

    def with_related(self):
        """Everything a result card shows, in a fixed number of queries."""
        return self.select_related("organisation").prefetch_related(
            "target_groups", "support_types", "themes", "languages", "municipalities", "sessions"
        )

    def overdue(self, months=None):
        """Services nobody has checked within the last `months` months (default: setting)."""
        months = months or settings.VERIFICATION_OVERDUE_MONTHS
        limit = timezone.now() - datetime.timedelta(days=round(months * 30.44))
        return self.filter(Q(verified_at__isnull=True) | Q(verified_at__lt=limit))

    def live(self):
        """Services the public sees and finds: published, and temporarily closed ones (the
        public pages show those with a notice and list them after open ones)."""
        return self.filter(status__in=LIVE_STATUSES)

    def open_data(self):
        """Services an open-data feed publishes: the live ones, and ended (archived) ones
        with their status, so a syncing reader learns that they ended. Never drafts or
        services in review."""
        return self.filter(status__in=[*LIVE_STATUSES, Service.Status.ARCHIVED])


class Service(models.Model):
    class Format(models.TextChoices):
        INDIVIDUAL = "individual", _("Eén op één")
        GROUP = "group", _("In een groep")
        BOTH = "both", _("Eén op één of in een groep")

    class Frequency(models.TextChoices):
        ONE_OFF = "one_off", _("Eén keer of een paar keer")
        RECURRING = "recurring", _("Steeds weer")

    class ProvidedBy(models.TextChoices):
        VOLUNTEERS = "volunteers", _("Vrijwilligers")
        PROFESSIONALS = "professionals", _("Betaalde medewerkers")
        BOTH = "both", _("Vrijwilligers en betaalde medewerkers")
        UNKNOWN = "unknown", _("Nog niet bekend")

    class Cost(models.TextChoices):
        FREE = "free", _("Gratis")
        SUBSIDISED = "subsidised", _("Met korting of vergoeding")
        PAID = "paid", _("Betaald")
        UNKNOWN = "unknown", _("Kosten nog niet bekend")

    class CostUnit(models.TextChoices):
        ONCE = "once", _("eenmalig")
        PER_TIME = "per_time", _("per keer")
        PER_MONTH = "per_month", _("per maand")
        PER_YEAR = "per_year", _("per jaar")

    class Scope(models.TextChoices):
        NATIONAL = "national", _("Landelijk")
        LOCAL = "local", _("In de gemeente")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        IN_REVIEW = "in_review", _("Ter beoordeling")
        PUBLISHED = "published", _("Gepubliceerd")
        TEMPORARILY_CLOSED = "temporarily_closed", _("Tijdelijk gesloten")
        ARCHIVED = "archived", _("Gearchiveerd")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services", verbose_name=_("aanbieder")
    )
    name = models.CharField(
        _("naam"),
        max_length=200,
        validators=[validate_no_control_characters, validate_single_line],
    )
    alternate_name = models.CharField(
        _("andere naam"), max_length=200, blank=True, validators=[validate_single_line]
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True, blank=True)
    summary = models.CharField(
        _("samenvatting"),
        max_length=160,
        blank=True,
        validators=[validate_no_control_characters],
        help_text=_("Eén zin voor de zoekresultaten, hoogstens 160 tekens."),
    )
    essence = models.TextField(
        _("wat het is"),
        blank=True,
        help_text=_("Wat houdt het concreet in, voor wie is het en hoe werkt het?"),
    )

    support_types = models.ManyToManyField(
        SupportType, blank=True, related_name="services", verbose_name=_("soorten steun")
    )
    target_groups = models.ManyToManyField(
        TargetGroup, blank=True, related_name="services", verbose_name=_("doelgroepen")
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="services", verbose_name=_("thema's")
    )

    format = models.CharField(
        _("individueel of groep"), max_length=12, choices=Format.choices, default=Format.INDIVIDUAL
    )
    frequency = models.CharField(
        _("eenmalig of doorlopend"),
        max_length=12,
        choices=Frequency.choices,
        default=Frequency.RECURRING,
    )
    at_home = models.BooleanField(_("bij u thuis"), default=False)
    out_of_home = models.BooleanField(_("buitenshuis"), default=False)
    online = models.BooleanField(_("online"), default=False)
    by_phone = models.BooleanField(_("telefonisch"), default=False)
    provided_by = models.CharField(
        _("uitgevoerd door"),
        max_length=14,
        choices=ProvidedBy.choices,
        default=ProvidedBy.VOLUNTEERS,
    )

    cost = models.CharField(_("kosten"), max_length=12, choices=Cost.choices, default=Cost.FREE)
    cost_amount = models.DecimalField(
        _("bedrag in euro"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    cost_unit = models.CharField(_("per"), max_length=10, choices=CostUnit.choices, blank=True)
    cost_text = models.CharField(_("uitleg over de kosten"), max_length=300, blank=True)

    min_age = models.PositiveSmallIntegerField(
        _("vanaf leeftijd"), null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("tot en met leeftijd"), null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    low_income_only = models.BooleanField(
        _("alleen bij een laag inkomen"),
        default=False,
        help_text=_("Aanvinken als de dienst alleen is voor mensen met een laag inkomen."),
    )
    referral_required = models.BooleanField(
        _("verwijzing of indicatie nodig"),
        default=False,
        help_text=_("Aanvinken als iemand eerst een verwijzing of indicatie nodig heeft."),
    )
    conditions = models.TextField(_("andere voorwaarden"), blank=True)
    how_to_apply = models.TextField(_("zo meldt u zich aan"), blank=True)
    wait_time = models.CharField(_("wachttijd"), max_length=200, blank=True)

    scope = models.CharField(_("bereik"), max_length=10, choices=Scope.choices, default=Scope.LOCAL)
    municipalities = models.ManyToManyField(
        Municipality,
        blank=True,
        related_name="services",
        verbose_name=_("gemeenten"),
        help_text=_("Voor diensten in de gemeente: waar de dienst te krijgen is."),
    )

    phone = models.CharField(_("telefoon"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mailadres"), blank=True)
    url = models.URLField(_("meer informatie (link)"), max_length=500, blank=True)
    contact_pending = models.BooleanField(
        _("contactgegevens volgen"),
        default=False,
        help_text=_(
            "Aan voor een dienst die we wel willen tonen, maar waarvan we nog niet weten hoe "
            "inwoners contact opnemen. De pagina verwijst dan naar onze eigen hulplijn. Gaat "
            "vanzelf uit zodra er een telefoonnummer, e-mailadres of link is."
        ),
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="services", verbose_name=_("talen")
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    uuid = models.UUIDField(_("UUID"), default=uuid4, unique=True, editable=False)
    alert = models.CharField(
        _("melding"),
        max_length=200,
        blank=True,
        help_text=_("Korte melding bovenaan, bijvoorbeeld: Tot maart geen nieuwe deelnemers."),
    )

    created = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    modified = models.DateTimeField(_("laatst gewijzigd"), auto_now=True)
    verified_at = models.DateTimeField(_("laatst gecontroleerd op"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gecontroleerd door"),
    )

    # Normalised copies for search (see services/search.py); filled in save() and
    # refresh_search_extra(), never edited by hand.
    search_name = models.CharField(max_length=200, blank=True, editable=False)
    search_summary = models.CharField(max_length=200, blank=True, editable=False)
    search_body = models.TextField(blank=True, editable=False)
    search_extra = models.TextField(blank=True, editable=False)
    # Weighted tsvector of the four columns above, kept by a PostgreSQL trigger
    # (migration 0002); stays empty on SQLite, where search matches the text columns.
    search_vector = SearchVectorField(null=True, editable=False)
    # The normalised text columns, and all of them with the tsvector: kept for search only,
    # no card or page shows them (left out of the rows read for cards).
    SEARCH_TEXT_FIELDS = ("search_name", "search_summary", "search_body", "search_extra")
    SEARCH_COLUMNS = (*SEARCH_TEXT_FIELDS, "search_vector")

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("dienst")
        verbose_name_plural = _("diensten")
        indexes = [
            models.Index(fields=["status", "scope"], name="service_status_scope"),
            models.Index(fields=["status", "verified_at"], name="service_status_verified"),
            # The catalogue's default order: the first page reads 20 rows in name order.
            models.Index(fields=["status", "name"], name="service_status_name"),
            # "Published ids" is a subquery of nearly every count: this lets PostgreSQL read
            # it from the index alone instead of scanning the (wide) table.
            models.Index(fields=["status", "id"], name="service_status_id"),
            # The national half of every view (ids_for_municipalities) and the live national
            # services (national_docs) from the index alone: by (status, scope) each of the
            # ~2,000 national rows was read from the table (2,175 buffers, 6 ms at 100k
            # services; in every catalogue and detail page), and by (scope, id) again for
            # their status (the national docs' query 19 -> 11 ms).
            # With the name, the national half of a view in name order, from the index alone
            # (ServiceFilterSet.view_by_name).
            models.Index(
                fields=["scope", "status", "id", "name"], name="service_scope_status_id_name"
            ),
            # A view's results in name order: the status and name of its ~2,200 ids from the
            # index alone, not from the wide table (21 -> 14 ms at 100k services).
            models.Index(fields=["id", "status", "name"], name="service_id_status_name"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.__dict__.pop("_access_stored", None)  # see services.access._stored
        if not self.slug:
            self.slug = unique_slug(Service, self.name, self.pk, max_length=200)
        self.search_name = text.normalise(self.name + " " + self.alternate_name)[:200]
        self.search_summary = text.normalise(self.summary)[:200]
        self.search_body = text.normalise(self.essence)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {
                "search_name",
                "search_summary",
                "search_body",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("services:detail", kwargs={"slug": self.slug})

    @staticmethod
    def national_q():
        """National services: in view in every municipality. As a condition on the service
        itself (not `pk IN` a subquery), so PostgreSQL starts from the (scope, status, id) index
        instead of joining every live service to the national ids (the national docs' query:
        58 -> 17 ms at 100k)."""
        return Q(scope=Service.Scope.NATIONAL)

    @staticmethod
    def national_ids():
        """A subquery of the ids of national services."""
        return Service.objects.filter(Service.national_q()).values("pk")

    @staticmethod
    def ids_for_municipalities(municipalities):
        """A subquery of the ids of national services and those local to any of these.

        A UNION rather than `scope = national OR id IN (...)`: each half can use an index,
        where the OR made PostgreSQL scan the whole (wide) service table.
        """
        return Service.national_ids().union(Service.local_ids(municipalities), all=True)

    @staticmethod
    def local_ids(municipalities):
        """A subquery of the ids of the services offered in any of these municipalities."""
        return Service.municipalities.through.objects.filter(
            municipality__in=municipalities
        ).values("service_id")

    @property
    def has_contact(self):
        return bool(self.phone or self.email or self.url)

    def clean(self):
        errors = {}
        if self.contact_pending and self.has_contact:
            # The flag says "no contact yet": with a contact it has done its work.
            self.contact_pending = False
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            errors["max_age"] = _(
                "De hoogste leeftijd moet gelijk zijn aan of hoger dan de laagste."
            )
        if self.cost in (self.Cost.FREE, self.Cost.UNKNOWN) and self.cost_amount:
            errors["cost_amount"] = _(
                "Een gratis dienst heeft geen bedrag. Kies andere kosten of maak het bedrag leeg."
            )
        if self.cost_amount is not None and self.cost_amount < 0:
            errors["cost_amount"] = _("Een bedrag kan niet negatief zijn.")
        if self.cost_unit and self.cost_amount is None:
            errors["cost_unit"] = _("Vul ook het bedrag in, of maak dit veld leeg.")
        if not (self.at_home or self.out_of_home or self.online or self.by_phone):
            errors["at_home"] = _(
                "Kies minstens één plek: bij u thuis, buitenshuis, online of telefonisch."
            )
        if self.status == self.Status.PUBLISHED:
            required = {
                "summary": _("Een gepubliceerde dienst heeft een samenvatting."),
                "essence": _("Een gepubliceerde dienst beschrijft wat het is."),
            }
            for field, message in required.items():
                if not getattr(self, field).strip():
                    errors[field] = message
            if not self.has_contact and not self.contact_pending:
                errors["phone"] = _(
                    "Een gepubliceerde dienst heeft minstens één manier om contact op te "
                    "nemen: telefoon, e-mail of een link. Weet u die nog niet? Zet dan "
                    "'contactgegevens volgen' aan."
                )
        if errors:
            raise ValidationError(errors)

    def clean_relations(self, *, municipalities, target_groups):
        """Rules on many-to-many values, checked before they are saved (admin, import, actions)."""
        errors = {}
        if self.scope == self.Scope.LOCAL and not list(municipalities):
            errors["municipalities"] = _(
                "Kies minstens één gemeente voor een dienst in de gemeente."
            )
        if self.status == self.Status.PUBLISHED and not list(target_groups):
            errors["target_groups"] = _("Een gepubliceerde dienst heeft minstens één doelgroep.")
        if errors:
            raise ValidationError(errors)

    def refresh_search_extra(self):
        """Store the provider and taxonomy names for search, after many-to-many changes."""
        parts = [self.organisation.name]
        for relation in ("target_groups", "support_types", "themes"):
            parts.extend(term.name for term in getattr(self, relation).all())
        self.search_extra = text.normalise(" ".join(parts))
        Service.objects.filter(pk=self.pk).update(search_extra=self.search_extra)

    @property
    def settings_display(self):
        """The places where the service happens, as labels."""
        labels = []
        for field in ("at_home", "out_of_home", "online", "by_phone"):
            if getattr(self, field):
                labels.append(Service._meta.get_field(field).verbose_name)
        return labels

    def _get_FIELD_display(self, field):
        # What get_format_display() and the like return, as Django's own does, without its
        # dict of every choice: building it hashes each lazy label, a translation lookup per
        # choice (twenty cards made about 250 of them for three labels each).
        value = getattr(self, field.attname)
        for choice, label in field.flatchoices:
            if choice == value:
                return force_str(label, strings_only=True)
        return force_str(value, strings_only=True)

    @property
    def is_public(self):
        """Seen by the public: published, or temporarily closed (with a notice)."""
        return self.status in LIVE_STATUSES


class Location(models.Model):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="locations", verbose_name=_("dienst")
    )
    name = models.CharField(_("naam van de plek"), max_length=200)
    address = models.CharField(_("adres"), max_length=200, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=7, blank=True, validators=[validate_postcode]
    )
    place = models.CharField(_("plaats"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("gemeente")
    )
    latitude = models.DecimalField(
        _("breedtegraad"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("lengtegraad"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    wheelchair_accessible = models.BooleanField(_("toegankelijk met een rolstoel"), default=False)
    accessibility = models.CharField(
        _("toegankelijkheid"),
        max_length=300,
        blank=True,
        help_text=_("Bijvoorbeeld: lift aanwezig, invalidentoilet, ringleiding."),
    )
    hours_note = models.CharField(
        _("uitzonderingen op de openingstijden"),
        max_length=300,
        blank=True,
        help_text=_("Bijvoorbeeld: gesloten in de schoolvakanties."),
    )
    uuid = models.UUIDField(_("UUID"), default=uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")

    def __str__(self):
        return self.name

    def clean(self):
        self.postcode = normalise_postcode(self.postcode)
        errors = {}
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = _("De breedtegraad ligt tussen -90 en 90.")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = _("De lengtegraad ligt tussen -180 en 180.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Vul beide coördinaten in, of geen van beide.")
        if errors:
            raise ValidationError(errors)


class OpeningPeriod(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("maandag")
        TUESDAY = 2, _("dinsdag")
        WEDNESDAY = 3, _("woensdag")
        THURSDAY = 4, _("donderdag")
        FRIDAY = 5, _("vrijdag")
        SATURDAY = 6, _("zaterdag")
        SUNDAY = 7, _("zondag")

    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        related_name="opening_periods",
        verbose_name=_("locatie"),
    )
    weekday = models.PositiveSmallIntegerField(_("dag"), choices=Weekday.choices)
    opens = models.TimeField(_("open vanaf"))
    closes = models.TimeField(_("open tot"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("openingstijd")
        verbose_name_plural = _("openingstijden")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("De sluitingstijd moet na de openingstijd liggen.")})

    def is_open_at(self, moment):
        return moment.isoweekday() == self.weekday and self.opens <= moment.time() < self.closes
