"""What curators work with: error reports, proposed changes, history and campaigns."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisation import Organisation
from .service import Service


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


class RecordedChange(models.Model):
    """What every kept version has: when, by whom, the whole record then and what changed."""

    created = models.DateTimeField(_("moment"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    snapshot = models.JSONField(_("volledige versie"), encoder=DjangoJSONEncoder)
    changes = models.JSONField(_("wijzigingen"), encoder=DjangoJSONEncoder, default=list)

    class Meta:
        abstract = True
        ordering = ["-created", "-pk"]


class ServiceVersion(RecordedChange):
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
    source = models.CharField(_("via"), max_length=20, choices=Source.choices)

    class Meta(RecordedChange.Meta):
        verbose_name = _("versie")
        verbose_name_plural = _("versies")

    def __str__(self):
        return f"{self.service} – {self.created:%Y-%m-%d %H:%M}"


class OrganisationVersion(RecordedChange):
    """One recorded change of an organisation: who, when, what (name, website, e-mail ...).

    An organisation's website and e-mail reach the public pages and the campaign mails,
    so its changes are kept like a service's."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("organisatie"),
    )

    class Meta(RecordedChange.Meta):
        verbose_name = _("versie van een organisatie")
        verbose_name_plural = _("versies van organisaties")

    def __str__(self):
        return f"{self.organisation} – {self.created:%Y-%m-%d %H:%M}"


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
