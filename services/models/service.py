"""The catalogue's data model.

A Service is the unit residents see (presented per service, not per provider). Its fields
cover the seed's programme of requirements (DOMAIN.md, "A service") and map onto the Open
Referral HSDS 3 `service` object; `services/hsds.py` is that mapping.
"""

import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import roles, text
from .validators import (
    normalise_postcode,
    validate_cbs_code,
    validate_no_control_characters,
    validate_phone,
    validate_postcode,
)

MAX_AGE = 120
# Statuses in which the public sees a service; edits by partners then wait for a curator.
LIVE_STATUSES = ("published", "temporarily_closed")


class Domain(models.TextChoices):
    """The twelve domains that parties in a local coalition come from."""

    MUNICIPALITY = "municipality", _("Gemeente")
    SELF_ORGANISATIONS = "self_organisations", _("Zelforganisaties")
    ENTREPRENEURS = "entrepreneurs", _("Ondernemers")
    INTEGRATION = "integration", _("Integratie")
    DEBT_POVERTY = "debt_poverty", _("Schulden en armoede")
    CARE_WELFARE = "care_welfare", _("Zorg en welzijn")
    HOUSING = "housing", _("Wonen en bouwen")
    ART_CULTURE = "art_culture", _("Kunst en cultuur")
    FAITH = "faith", _("Levensbeschouwing")
    SPORT = "sport", _("Sport en bewegen")
    EDUCATION = "education", _("Onderwijs")
    FINANCIAL = "financial", _("Financiële sector")


def unique_slug(model, value, instance_pk=None, max_length=80):
    """A slug from value that no other row of model uses yet."""
    base = slugify(value)[:max_length].strip("-") or "item"
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exclude(pk=instance_pk).exists():
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug


class Municipality(models.Model):
    name = models.CharField(_("naam"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    cbs_code = models.CharField(
        _("CBS-code"),
        max_length=6,
        blank=True,
        validators=[validate_cbs_code],
        help_text=_("Bijvoorbeeld GM0363. Laat leeg als u de code niet weet."),
    )
    curators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="curated_municipalities",
        verbose_name=_("curatoren"),
        help_text=_("Medewerkers van de gemeente die het lokale aanbod beheren."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Municipality, self.name, self.pk)
        super().save(*args, **kwargs)


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
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(type(self), self.name, self.pk)
        super().save(*args, **kwargs)


class TargetGroup(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("doelgroep")
        verbose_name_plural = _("doelgroepen")


class SupportType(Taxonomy):
    """One of Movisie's seven ways of support."""

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


class Organisation(models.Model):
    name = models.CharField(_("naam"), max_length=200, validators=[validate_no_control_characters])
    slug = models.SlugField(_("slug"), max_length=200, unique=True, blank=True)
    description = models.TextField(_("beschrijving"), blank=True)
    website = models.URLField(_("website"), blank=True, max_length=500)
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoon"), max_length=30, blank=True, validators=[validate_phone])
    domain = models.CharField(
        _("domein"), max_length=30, choices=Domain.choices, default=Domain.CARE_WELFARE
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organisations",
        verbose_name=_("medewerkers die mogen bewerken"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Organisation, self.name, self.pk, max_length=200)
        super().save(*args, **kwargs)


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
            "target_groups", "support_types", "themes", "languages", "municipalities"
        )

    def overdue(self, months=None):
        """Services nobody has checked within the last `months` months (default: setting)."""
        months = months or settings.VERIFICATION_OVERDUE_MONTHS
        limit = timezone.now() - datetime.timedelta(days=round(months * 30.44))
        return self.filter(Q(verified_at__isnull=True) | Q(verified_at__lt=limit))

    def search(self, query, *, narrowed=False):
        """Services matching a free-text query, annotated with `rank` (see services.search).

        narrowed: this queryset already holds one municipality's candidates (or fewer), so
        the match tests each row rather than gathering matches from the indexes first."""
        from .search import search_queryset

        return search_queryset(self, query, narrowed=narrowed)

    # Who may do what in the admin, written once (STYLE.md rule 4). Every admin hook,
    # action and view scopes its lookups with these, so another organisation's service is
    # a 404, like a missing one.
    def curatable_by(self, user):
        """Services this user may approve, publish, archive, verify and edit directly."""
        if roles.is_national_curator(user):
            return self.all()
        if not roles.user_in_group(user, roles.CURATOR):
            return self.none()
        local_here = Service.municipalities.through.objects.filter(
            municipality__curators=user
        ).values("service_id")
        return self.filter(scope=Service.Scope.LOCAL, pk__in=local_here)

    def editable_by(self, user):
        """Services this user may edit: curated ones, plus their own organisations' (partner)."""
        if roles.is_national_curator(user):
            return self.all()
        if not user.is_authenticated or not user.is_active:
            return self.none()
        own = Q(organisation__in=Organisation.objects.filter(users=user).values("pk"))
        return self.filter(own | Q(pk__in=Service.objects.curatable_by(user).values("pk")))

    def viewable_in_admin_by(self, user):
        """Services this user sees in the admin: editable ones, and national ones for curators."""
        if roles.is_national_curator(user):
            return self.all()
        if roles.is_curator(user):
            return self.filter(
                Q(scope=Service.Scope.NATIONAL)
                | Q(pk__in=Service.objects.editable_by(user).values("pk"))
            )
        return self.editable_by(user)

    def live(self):
        """Services the public can see or find (published or temporarily closed)."""
        return self.filter(status__in=LIVE_STATUSES)


class Service(models.Model):
    class Format(models.TextChoices):
        INDIVIDUAL = "individual", _("Individueel")
        GROUP = "group", _("In een groep")
        BOTH = "both", _("Individueel of in een groep")

    class Frequency(models.TextChoices):
        ONE_OFF = "one_off", _("Eenmalig")
        RECURRING = "recurring", _("Doorlopend")

    class ProvidedBy(models.TextChoices):
        VOLUNTEERS = "volunteers", _("Vrijwilligers")
        PROFESSIONALS = "professionals", _("Beroepskrachten")
        BOTH = "both", _("Vrijwilligers en beroepskrachten")
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
    name = models.CharField(_("naam"), max_length=200, validators=[validate_no_control_characters])
    alternate_name = models.CharField(_("andere naam"), max_length=200, blank=True)
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
    languages = models.ManyToManyField(
        Language, blank=True, related_name="services", verbose_name=_("talen")
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
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
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
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
    def ids_for_municipalities(municipalities):
        """A subquery of the ids of national services and those local to any of these.

        A UNION rather than `scope = national OR id IN (...)`: each half can use an index,
        where the OR made PostgreSQL scan the whole (wide) service table.
        """
        national = Service.objects.filter(scope=Service.Scope.NATIONAL).values("pk")
        local = Service.municipalities.through.objects.filter(
            municipality__in=municipalities
        ).values("service_id")
        return national.union(local, all=True)

    def clean(self):
        errors = {}
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
            if not (self.phone or self.email or self.url):
                errors["phone"] = _(
                    "Een gepubliceerde dienst heeft minstens één manier om contact op te "
                    "nemen: telefoon, e-mail of een link."
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

    def applies_to_age(self, age):
        if age is None:
            return True
        if self.min_age is not None and age < self.min_age:
            return False
        return not (self.max_age is not None and age > self.max_age)

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED


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


class ErrorReport(models.Model):
    """A "Meld een fout" report from the public, kept for curators."""

    class Topic(models.TextChoices):
        OUT_OF_DATE = "out_of_date", _("De informatie klopt niet meer")
        CLOSED = "closed", _("Deze dienst bestaat niet meer")
        EXTRA = "extra", _("Ik heb extra informatie")
        OTHER = "other", _("Iets anders")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        HANDLED = "handled", _("Afgehandeld")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="error_reports", verbose_name=_("dienst")
    )
    topic = models.CharField(_("onderwerp"), max_length=20, choices=Topic.choices)
    message = models.TextField(_("toelichting"), max_length=2000, blank=True)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.OPEN)
    created = models.DateTimeField(_("gemeld op"), auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("foutmelding")
        verbose_name_plural = _("foutmeldingen")

    def __str__(self):
        return f"{self.service} – {self.get_topic_display()}"


class ProposedChangeQuerySet(models.QuerySet):
    def pending(self):
        """Proposals still waiting for a curator."""
        return self.filter(state=ProposedChange.State.PENDING)

    def reviewable_by(self, user):
        """Proposals for services this user curates (see ServiceQuerySet.curatable_by)."""
        return self.filter(service__in=Service.objects.curatable_by(user))


class ProposedChange(models.Model):
    """A partner's edit waiting for a curator; the live Service row stays as approved.

    `base` is the service as it was when the proposal started, `data` as proposed (both
    snapshots from services.snapshots); approving applies only what differs between them.
    """

    class Kind(models.TextChoices):
        NEW = "new", _("Nieuwe dienst")
        CHANGE = "change", _("Wijziging")

    class State(models.TextChoices):
        PENDING = "pending", _("Wacht op beoordeling")
        APPROVED = "approved", _("Goedgekeurd")
        REJECTED = "rejected", _("Afgewezen")

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="proposed_changes",
        verbose_name=_("dienst"),
    )
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices, default=Kind.CHANGE)
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    base = models.JSONField(_("versie bij het voorstel"), encoder=DjangoJSONEncoder, default=dict)
    data = models.JSONField(_("voorgestelde versie"), encoder=DjangoJSONEncoder, default=dict)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voorgesteld door"),
    )
    contact_email = models.EmailField(_("e-mailadres voor het antwoord"), blank=True)
    created = models.DateTimeField(_("voorgesteld op"), auto_now_add=True)
    updated = models.DateTimeField(_("laatst gewijzigd"), auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beoordeeld door"),
    )
    decided_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)
    reason = models.TextField(_("toelichting"), max_length=2000, blank=True)

    objects = ProposedChangeQuerySet.as_manager()

    class Meta:
        ordering = ["created"]
        verbose_name = _("voorstel")
        verbose_name_plural = _("voorstellen ter beoordeling")

    def __str__(self):
        return f"{self.service} – {self.get_kind_display()}"


class ServiceVersion(models.Model):
    """One recorded change of a service, its locations or hours: who, when, from where, what."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("Beheerformulier")
        BULK = "bulk", _("Actie op meerdere diensten")
        REVIEW = "review", _("Goedgekeurd voorstel")
        IMPORT = "import", _("Import")
        VERIFICATION = "verification", _("Controle")
        CAMPAIGN = "campaign", _("Controlelink van de aanbieder")
        RESTORE = "restore", _("Eerdere versie teruggezet")
        INITIAL = "initial", _("Beginstand")
        OTHER = "other", _("Anders")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="versions", verbose_name=_("dienst")
    )
    created = models.DateTimeField(_("moment"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    source = models.CharField(_("via"), max_length=20, choices=Source.choices)
    snapshot = models.JSONField(_("volledige versie"), encoder=DjangoJSONEncoder)
    changes = models.JSONField(_("wijzigingen"), encoder=DjangoJSONEncoder, default=list)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("versie")
        verbose_name_plural = _("versies")

    def __str__(self):
        return f"{self.service} – {self.created:%Y-%m-%d %H:%M}"


class VerificationCampaign(models.Model):
    """A round of asking providers to check their services through a signed link."""

    name = models.CharField(_("naam"), max_length=200)
    created = models.DateTimeField(_("gestart op"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gestart door"),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("herinnering na dagen"),
        default=14,
        validators=[MaxValueValidator(365)],
        help_text=_("Wie dan nog niet heeft geantwoord, krijgt één herinnering."),
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("controleronde")
        verbose_name_plural = _("controlerondes")

    def __str__(self):
        return self.name


class CampaignRecipient(models.Model):
    """One provider in a campaign: one e-mail, one link, only its own services."""

    campaign = models.ForeignKey(
        VerificationCampaign,
        on_delete=models.CASCADE,
        related_name="recipients",
        verbose_name=_("controleronde"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("aanbieder")
    )
    email = models.EmailField(_("e-mailadres"))
    services = models.ManyToManyField(Service, related_name="+", verbose_name=_("diensten"))
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("herinnerd op"), null=True, blank=True)
    answered_at = models.DateTimeField(_("geantwoord op"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("ontvanger")
        verbose_name_plural = _("ontvangers")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="campaign_recipient_unique"
            )
        ]

    def __str__(self):
        return f"{self.organisation} ({self.email})"


class CatalogueState(models.Model):
    """One row whose version goes up whenever anything the catalogue shows changes.

    Cached facet counts are keyed on it, so every web process sees a change at once.
    """

    version = models.PositiveBigIntegerField(default=1)
    changed = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stand van de catalogus")
        verbose_name_plural = _("stand van de catalogus")

    def __str__(self):
        return f"v{self.version}"

    @classmethod
    def current(cls):
        return cls.objects.values_list("version", flat=True).filter(pk=1).first() or 0

    @classmethod
    def bump(cls):
        """Invalidate cached catalogue data (called from signals and bulk writes)."""
        if not cls.objects.filter(pk=1).update(
            version=models.F("version") + 1, changed=timezone.now()
        ):
            cls.objects.get_or_create(pk=1)
