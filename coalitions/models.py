"""Local coalitions against loneliness: who works together, on which goals, with what result.

The shape follows the national programme (DOMAIN.md, "Coalitions"): parties from twelve
domains, six steps, five pillars, and Movisie's Kwaliteitskompas (goals, indicators, who
contributes what). Who may edit a coalition is decided once, in
the access policy (services.access); every other model asks its coalition.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services import access
from services.models import Domain, Municipality, Organisation, Service, unique_slug
from services.numbers import format_number
from services.validators import validate_no_control_characters

from .charts import IndicatorChart

# Dates before this are typing errors, not history: the national programme started in 2018
# and the health monitor's first loneliness figures are from the 2000s.
EARLIEST_YEAR = 1990
# Plans reach a few years ahead; a goal for 2100 is a typing error.
LATEST_PLANNING_YEARS_AHEAD = 25

MAX_VALUE_DIGITS = 12


def validate_sane_past_date(value):
    """A date that has happened: not in the future and not before EARLIEST_YEAR."""
    if value is None:
        return
    if value.year < EARLIEST_YEAR:
        raise ValidationError(
            _("Deze datum ligt te ver in het verleden. Kies een datum na %(year)s."),
            code="date_too_early",
            params={"year": EARLIEST_YEAR},
        )
    if value > timezone.localdate():
        raise ValidationError(
            _("Deze datum ligt in de toekomst. Kies vandaag of een datum in het verleden."),
            code="date_in_future",
        )


def validate_sane_plan_date(value):
    """A date a plan can aim for: from EARLIEST_YEAR up to a few decades ahead."""
    if value is None:
        return
    latest = timezone.localdate().year + LATEST_PLANNING_YEARS_AHEAD
    if not EARLIEST_YEAR <= value.year <= latest:
        raise ValidationError(
            _("Kies een jaar tussen %(first)s en %(last)s."),
            code="date_out_of_range",
            params={"first": EARLIEST_YEAR, "last": latest},
        )


def _related_or_none(instance, name):
    """The related object, also when it is new and unsaved (admin add forms); else None."""
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


class Step(models.IntegerChoices):
    """The six steps a local coalition goes through."""

    INITIATIVE = 1, _("Initiatief nemen")
    FACTS = 2, _("Feiten en cijfers verzamelen")
    ORGANISE = 3, _("De samenwerking organiseren")
    PLAN = 4, _("Een plan maken")
    CARRY_OUT = 5, _("Het plan uitvoeren")
    SUSTAIN = 6, _("Blijvend aandacht geven")


class PillarStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Nog niet begonnen")
    UNDER_WAY = "under_way", _("Mee bezig")
    IN_PLACE = "in_place", _("Geregeld")


# The five pillars of the national programme: (field prefix, label, explanation).
PILLARS = [
    (
        "commitment",
        _("Steun van het bestuur"),
        _("Het gemeentebestuur steunt de aanpak en maakt er tijd en geld voor vrij."),
    ),
    (
        "network",
        _("Een sterk netwerk"),
        _("Organisaties uit veel domeinen werken samen en kennen elkaar."),
    ),
    (
        "involvement",
        _("Eenzame mensen doen zelf mee"),
        _("Inwoners die eenzaamheid kennen, denken en beslissen mee."),
    ),
    (
        "continuity",
        _("Een aanpak voor de lange termijn"),
        _("De aanpak stopt niet na één project, maar loopt door."),
    ),
    (
        "monitoring",
        _("Meten en verbeteren"),
        _("De coalitie houdt bij wat werkt en past de aanpak aan."),
    ),
]


def _pillar_status_field(label):
    return models.CharField(
        label,
        max_length=12,
        choices=PillarStatus.choices,
        default=PillarStatus.NOT_STARTED,
    )


def _pillar_note_field():
    return models.CharField(
        _("toelichting"),
        max_length=300,
        blank=True,
        validators=[validate_no_control_characters],
    )


class CoalitionQuerySet(models.QuerySet):
    def published(self):
        """Coalitions the public may see."""
        return self.filter(is_published=True)

    def editable_by(self, user):
        """Coalitions the user may edit (see services.access: coordinators, curators of the
        municipality, national curators)."""
        return access.scope(user, "change", self)

    def visible_to(self, user):
        """Published coalitions, plus unpublished ones the user may edit (a preview)."""
        return access.scope(user, "view", self)

    def with_related(self):
        """Everything a coalition's page shows, in a fixed number of queries."""
        return self.select_related("municipality", "lead_organisation").prefetch_related(
            models.Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organisation"),
            ),
            models.Prefetch(
                "goals",
                queryset=Goal.objects.prefetch_related(
                    "indicators__measurements",
                    models.Prefetch(
                        "commitments",
                        queryset=Commitment.objects.select_related(
                            "membership__organisation"
                        ).prefetch_related(
                            models.Prefetch("services", queryset=Service.objects.live())
                        ),
                    ),
                ),
            ),
        )

    def for_list(self):
        """The list page: municipality, lead, member and domain counts in one query."""
        return self.select_related("municipality", "lead_organisation").annotate(
            member_count=models.Count("memberships", distinct=True),
            domain_count=models.Count("memberships__domain", distinct=True),
        )


class Coalition(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="coalitions",
        verbose_name=_("gemeente"),
    )
    name = models.CharField(_("naam"), max_length=200, validators=[validate_no_control_characters])
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_("Het laatste deel van het webadres. Laat leeg om het te laten maken."),
    )
    description = models.TextField(
        _("beschrijving"),
        max_length=3000,
        blank=True,
        validators=[validate_no_control_characters],
        help_text=_("Wie zijn wij en wat willen wij bereiken? In eenvoudige taal."),
    )
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_coalitions",
        verbose_name=_("kartrekker"),
        help_text=_("De organisatie die de coalitie trekt."),
    )
    start_date = models.DateField(
        _("gestart op"), null=True, blank=True, validators=[validate_sane_past_date]
    )
    step = models.PositiveSmallIntegerField(
        _("huidige stap"),
        choices=Step.choices,
        default=Step.INITIATIVE,
        help_text=_("In welke van de zes stappen is de coalitie nu?"),
    )
    commitment_status = _pillar_status_field(PILLARS[0][1])
    commitment_note = _pillar_note_field()
    network_status = _pillar_status_field(PILLARS[1][1])
    network_note = _pillar_note_field()
    involvement_status = _pillar_status_field(PILLARS[2][1])
    involvement_note = _pillar_note_field()
    continuity_status = _pillar_status_field(PILLARS[3][1])
    continuity_note = _pillar_note_field()
    monitoring_status = _pillar_status_field(PILLARS[4][1])
    monitoring_note = _pillar_note_field()
    is_published = models.BooleanField(
        _("gepubliceerd"),
        default=False,
        help_text=_("Aanvinken om de pagina van de coalitie voor iedereen te tonen."),
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_coalitions",
        verbose_name=_("coördinatoren"),
        help_text=_("Medewerkers die deze coalitie mogen bijhouden in het beheer."),
    )
    modified = models.DateTimeField(_("laatst gewijzigd"), auto_now=True)

    objects = CoalitionQuerySet.as_manager()

    class Meta:
        ordering = ["municipality__name", "name"]
        verbose_name = _("coalitie")
        verbose_name_plural = _("coalities")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Coalition, self.name, self.pk, max_length=200)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("coalitions:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self):
        return self.is_published

    def pillars(self):
        """The five pillars as dicts: key, label, help, status, status_label, note."""
        result = []
        for key, label, help_text in PILLARS:
            status = getattr(self, f"{key}_status")
            result.append(
                {
                    "key": key,
                    "label": label,
                    "help": help_text,
                    "status": status,
                    "status_label": PillarStatus(status).label
                    if status in PillarStatus.values
                    else status,
                    "note": getattr(self, f"{key}_note"),
                }
            )
        return result

    def steps(self):
        """The six steps as dicts: number, label, state (done, current or todo)."""
        result = []
        for step in Step:
            if step < self.step:
                state = "done"
            elif step == self.step:
                state = "current"
            else:
                state = "todo"
            result.append({"number": step.value, "label": step.label, "state": state})
        return result

    @property
    def step_label(self):
        return Step(self.step).label if self.step in Step.values else ""


class Membership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Kartrekker")
        CORE = "core", _("Kerngroep")
        WORKING_GROUP = "working_group", _("Werkgroep")

    coalition = models.ForeignKey(
        Coalition,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("coalitie"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="coalition_memberships",
        verbose_name=_("organisatie"),
    )
    domain = models.CharField(
        _("domein"),
        max_length=30,
        choices=Domain.choices,
        blank=True,
        help_text=_("Laat leeg om het domein van de organisatie te gebruiken."),
    )
    role = models.CharField(
        _("rol"), max_length=15, choices=Role.choices, default=Role.WORKING_GROUP
    )
    since = models.DateField(
        _("doet mee sinds"), null=True, blank=True, validators=[validate_sane_past_date]
    )

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("deelnemer")
        verbose_name_plural = _("deelnemers")
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "organisation"], name="membership_unique_organisation"
            )
        ]

    def __str__(self):
        return str(self.organisation)

    def save(self, *args, **kwargs):
        if not self.domain and self.organisation_id:
            self.domain = self.organisation.domain
        super().save(*args, **kwargs)

    def clean(self):
        if not self.domain and self.organisation_id:
            self.domain = self.organisation.domain


class Goal(models.Model):
    """A Kwaliteitskompas goal: what the coalition wants to achieve for residents, by when."""

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="goals", verbose_name=_("coalitie")
    )
    title = models.CharField(
        _("doel"),
        max_length=200,
        validators=[validate_no_control_characters],
        help_text=_("Wat merken inwoners ervan? Bijvoorbeeld: minder ouderen voelen zich eenzaam."),
    )
    description = models.TextField(
        _("toelichting"),
        max_length=2000,
        blank=True,
        validators=[validate_no_control_characters],
    )
    target_date = models.DateField(
        _("bereikt op"),
        null=True,
        blank=True,
        validators=[validate_sane_plan_date],
        help_text=_("Wanneer wilt u dit bereikt hebben?"),
    )
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("doel")
        verbose_name_plural = _("doelen")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.coalition.get_absolute_url() + f"#doel-{self.pk}"

    @property
    def is_public(self):
        return self.coalition.is_published


class Indicator(models.Model):
    class Unit(models.TextChoices):
        PERCENT = "percent", _("procent")
        PEOPLE = "people", _("mensen")
        ACTIVITIES = "activities", _("activiteiten")
        COUNT = "count", _("aantal")
        GRADE = "grade", _("rapportcijfer")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Hoger is beter")
        LOWER = "lower", _("Lager is beter")

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("doel")
    )
    name = models.CharField(
        _("naam"),
        max_length=200,
        validators=[validate_no_control_characters],
        help_text=_("Wat meet u? Bijvoorbeeld: ouderen die zich eenzaam voelen."),
    )
    unit = models.CharField(_("eenheid"), max_length=12, choices=Unit.choices)
    baseline = models.DecimalField(_("beginwaarde"), max_digits=MAX_VALUE_DIGITS, decimal_places=2)
    target = models.DecimalField(_("streefwaarde"), max_digits=MAX_VALUE_DIGITS, decimal_places=2)
    direction = models.CharField(
        _("wat is beter?"), max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicatoren")

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        for field in ("baseline", "target"):
            error = self.unit_error(getattr(self, field))
            if error:
                errors[field] = error
        if (
            "target" not in errors
            and self.baseline is not None
            and self.target is not None
            and self.direction in self.Direction.values
        ):
            if self.direction == self.Direction.HIGHER and self.target <= self.baseline:
                errors["target"] = _(
                    "Hoger is beter, dus de streefwaarde moet hoger zijn dan de beginwaarde."
                )
            elif self.direction == self.Direction.LOWER and self.target >= self.baseline:
                errors["target"] = _(
                    "Lager is beter, dus de streefwaarde moet lager zijn dan de beginwaarde."
                )
        if errors:
            raise ValidationError(errors)

    def unit_error(self, value):
        """The message when value cannot be a value of this indicator's unit, else None."""
        if value is None:
            return None
        if self.unit == self.Unit.PERCENT and not 0 <= value <= 100:
            return _("Een percentage ligt tussen 0 en 100.")
        if self.unit == self.Unit.GRADE and not 1 <= value <= 10:
            return _("Een rapportcijfer ligt tussen 1 en 10.")
        if self.unit in (self.Unit.PEOPLE, self.Unit.ACTIVITIES, self.Unit.COUNT) and value < 0:
            return _("Een aantal kan niet negatief zijn.")
        return None

    def format_value(self, value):
        """A value with its unit, as residents read it: 26%, 120 mensen, 7,5."""
        if value is None:
            return ""
        number = format_number(value)
        if self.unit == self.Unit.PERCENT:
            return f"{number}%"
        if self.unit in (self.Unit.PEOPLE, self.Unit.ACTIVITIES):
            return f"{number} {self.get_unit_display()}"
        return number

    @property
    def higher_is_better(self):
        return self.direction == self.Direction.HIGHER

    def chart(self):
        """The indicator's measurements as a small chart (see coalitions.charts)."""
        return IndicatorChart(self, list(self.measurements.all()))


class Measurement(models.Model):
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("indicator"),
    )
    date = models.DateField(_("gemeten op"), validators=[validate_sane_past_date])
    value = models.DecimalField(_("waarde"), max_digits=MAX_VALUE_DIGITS, decimal_places=2)
    unit = models.CharField(
        _("eenheid"),
        max_length=12,
        choices=Indicator.Unit.choices,
        blank=True,
        help_text=_("Laat leeg om de eenheid van de indicator te gebruiken."),
    )
    source = models.CharField(
        _("bron"),
        max_length=300,
        blank=True,
        validators=[validate_no_control_characters],
        help_text=_("Waar komt dit getal vandaan? Bijvoorbeeld: enquête onder deelnemers."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("meting")
        verbose_name_plural = _("metingen")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="measurement_unique_date")
        ]

    def __str__(self):
        return f"{self.date:%d-%m-%Y}: {format_number(self.value)}"

    def save(self, *args, **kwargs):
        if not self.unit and self.indicator_id:
            self.unit = self.indicator.unit
        super().save(*args, **kwargs)

    def clean(self):
        # In an admin add form the indicator is new and unsaved, so ask for the object.
        indicator = _related_or_none(self, "indicator")
        if indicator is None:
            return
        if not self.unit:
            self.unit = indicator.unit
        if self.unit != indicator.unit:
            raise ValidationError(
                {
                    "unit": _(
                        "De eenheid past niet bij de indicator. Deze indicator meet in %(unit)s."
                    )
                    % {"unit": indicator.get_unit_display()}
                }
            )
        error = indicator.unit_error(self.value)
        if error:
            raise ValidationError({"value": error})


class Commitment(models.Model):
    """What one member contributes to one goal, optionally with its services."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("doel")
    )
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="commitments",
        verbose_name=_("deelnemer"),
    )
    description = models.CharField(
        _("bijdrage"),
        max_length=500,
        validators=[validate_no_control_characters],
        help_text=_("Wat doet deze deelnemer voor dit doel? Bijvoorbeeld: twee buurtbussen."),
    )
    services = models.ManyToManyField(
        Service,
        blank=True,
        related_name="coalition_commitments",
        verbose_name=_("diensten uit de sociale kaart"),
        help_text=_("Alleen diensten van deze deelnemer."),
    )

    class Meta:
        ordering = ["membership__organisation__name", "pk"]
        verbose_name = _("bijdrage")
        verbose_name_plural = _("bijdragen")

    def __str__(self):
        return f"{self.membership}: {self.description[:60]}"

    def clean(self):
        goal = _related_or_none(self, "goal")
        membership = _related_or_none(self, "membership")
        if (
            goal is not None
            and membership is not None
            and goal.coalition_id != membership.coalition_id
        ):
            raise ValidationError(
                {"membership": _("Kies een deelnemer van dezelfde coalitie als het doel.")}
            )

    def clean_relations(self, *, services):
        """Services must belong to the member's organisation (checked before they are saved)."""
        if not self.membership_id:
            return
        organisation_id = self.membership.organisation_id
        foreign = [service for service in services if service.organisation_id != organisation_id]
        if foreign:
            raise ValidationError(
                {
                    "services": _(
                        "Deze diensten zijn niet van %(organisation)s: %(services)s. Kies "
                        "alleen diensten van deze deelnemer."
                    )
                    % {
                        "organisation": self.membership.organisation,
                        "services": ", ".join(str(service) for service in foreign),
                    }
                }
            )


class LonelinessFigureQuerySet(models.QuerySet):
    def national(self):
        return self.filter(municipality__isnull=True)

    def editable_by(self, user):
        """Figures the user may keep (see services.access)."""
        return access.scope(user, "change", self)


class LonelinessFigure(models.Model):
    """Share of adults who feel lonely, per municipality (or nationally when empty)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="loneliness_figures",
        verbose_name=_("gemeente"),
        help_text=_("Laat leeg voor de cijfers van heel Nederland."),
    )
    year = models.PositiveSmallIntegerField(
        _("jaar"), validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(2100)]
    )
    lonely_percent = models.DecimalField(
        _("eenzaam (procent)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Deel van de volwassenen dat zich eenzaam voelt."),
    )
    severely_lonely_percent = models.DecimalField(
        _("ernstig eenzaam (procent)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Deel van de volwassenen dat zich ernstig eenzaam voelt."),
    )
    source = models.CharField(
        _("bron"),
        max_length=300,
        validators=[validate_no_control_characters],
        help_text=_("Bijvoorbeeld: Gezondheidsmonitor Volwassenen en Ouderen 2020 (GGD)."),
    )

    objects = LonelinessFigureQuerySet.as_manager()

    class Meta:
        ordering = ["municipality__name", "-year"]
        verbose_name = _("cijfers over eenzaamheid")
        verbose_name_plural = _("cijfers over eenzaamheid")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], name="lonelinessfigure_unique_year"
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(municipality__isnull=True),
                name="lonelinessfigure_unique_national_year",
                violation_error_message=_("Voor dit jaar zijn er al landelijke cijfers."),
            ),
        ]

    def __str__(self):
        where = self.municipality or _("Nederland")
        return f"{where} {self.year}"

    def clean(self):
        errors = {}
        if self.year and self.year > timezone.localdate().year:
            errors["year"] = _("Dit jaar ligt in de toekomst.")
        if (
            self.lonely_percent is not None
            and self.severely_lonely_percent is not None
            and self.severely_lonely_percent > self.lonely_percent
        ):
            errors["severely_lonely_percent"] = _(
                "Ernstig eenzame mensen zijn ook eenzaam: dit getal kan niet hoger zijn dan "
                "het deel dat zich eenzaam voelt."
            )
        if errors:
            raise ValidationError(errors)
