"""The admin at /beheer/: partners edit their own services, curators review and verify.

Who may see or change what comes from the one access policy (services.access); every hook
below asks it, and an object outside someone's scope is a 404 exactly like a missing one.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from services import access, actions, presentation, snapshots
from services.models import (
    ActivitySession,
    CampaignRecipient,
    ErrorReport,
    Language,
    Location,
    Municipality,
    OpeningPeriod,
    Organisation,
    ProposedChange,
    Service,
    SupportType,
    Synonym,
    TargetGroup,
    Theme,
    VerificationCampaign,
)

from . import csv_io, dashboard
from .forms import ServiceAdminForm

admin.site.site_header = _("Sociale Kaart – beheer")
admin.site.site_title = _("Sociale Kaart")
admin.site.index_title = _("Beheer van het aanbod")

BOTH = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


# The policy's answers, cached per request: the admin asks the same question several times.


def _in_scope(request, action, service_pk):
    cache = request.__dict__.setdefault("_service_scope", {})
    key = (action, service_pk)
    if key not in cache:
        cache[key] = access.scope(
            request.user, action, Service.objects.filter(pk=service_pk)
        ).exists()
    return cache[key]


def can_view(request, service):
    return _in_scope(request, "view", service.pk)


def can_edit(request, service):
    return _in_scope(request, "change", service.pk)


def can_curate(request, service):
    return _in_scope(request, "curate", service.pk)


def _nothing_saved(formsets):
    # The admin's change message reads these; a proposal saves no inline rows.
    for formset in formsets:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


def is_admin_editor(user):
    """Someone with work in the services admin: a curator or a partner (staff only)."""
    return access.actor(user).staff_editor


def is_curator(user):
    return access.allows(user, "curate")


def is_national(user):
    return access.actor(user).national


class NotFoundOutsideScopeMixin:
    """Someone else's object answers 404, like a missing one (not the admin's redirect)."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(gettext("Niet gevonden."))
        return obj


# Services -------------------------------------------------------------------------------


class ServiceLocationPermissions:
    """Inlines follow the service: editable when the service is, read-only otherwise."""

    def has_view_permission(self, request, obj=None):
        return obj is None or can_view(request, obj)

    def has_add_permission(self, request, obj=None):
        return obj is None or can_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None or can_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is None or can_edit(request, obj)


class LocationInline(ServiceLocationPermissions, admin.StackedInline):
    model = Location
    extra = 0
    show_change_link = True

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if is_curator(request.user):
            return fields
        # Coordinates are a curator's business; partners fill in the address.
        return [f for f in fields if f != ("latitude", "longitude")]

    fields = [
        ("name", "municipality"),
        ("address", "postcode", "place"),
        ("latitude", "longitude"),
        ("wheelchair_accessible", "accessibility"),
        "hours_note",
    ]


class SessionInline(admin.StackedInline):
    """When the activity takes place, edited on the service itself.

    Whoever may write the service may edit its sessions; the policy's answer
    (access.service_write) says how, as for the service's own fields: a curator in scope
    directly, a partner's change to a live service as part of their proposal."""

    model = ActivitySession
    extra = 0
    # Stacked, with a label on every field (a tabular row has only column headers, which
    # screen readers do not announce per field, and does not fit a phone).
    fields = [
        ("kind", "weekday"),
        ("start_date", "end_date"),
        ("starts_at", "ends_at"),
        ("location", "places", "signup_deadline"),
        "note",
    ]

    def _writable(self, request, obj):
        if obj is None:
            return True
        cache = request.__dict__.setdefault("_session_write", {})
        if obj.pk not in cache:
            cache[obj.pk] = access.service_write(request.user, obj) != access.Write.DENY
        return cache[obj.pk]

    def has_view_permission(self, request, obj=None):
        return obj is None or can_view(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._writable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._writable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._writable(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "location":
            service_id = request.resolver_match.kwargs.get("object_id", "")
            kwargs["queryset"] = Location.objects.filter(
                service_id=int(service_id) if str(service_id).isdigit() else None
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class VerificationFilter(admin.SimpleListFilter):
    title = _("controle")
    parameter_name = "controle"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Niet gecontroleerd in de afgelopen tijd")),
            ("recent", _("Onlangs gecontroleerd")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return dashboard.to_verify(request.user, queryset)
        if self.value() == "recent":
            return queryset.exclude(pk__in=Service.objects.overdue().values("pk"))
        return queryset


@admin.action(description=_("Publiceren"), permissions=["curate"], location=BOTH)
def publish(modeladmin, request, queryset):
    modeladmin.bulk_status(request, queryset, Service.Status.PUBLISHED)


@admin.action(description=_("Archiveren"), permissions=["curate"], location=BOTH)
def archive(modeladmin, request, queryset):
    modeladmin.bulk_status(request, queryset, Service.Status.ARCHIVED)


def _report_skipped(modeladmin, request, queryset, done):
    """Say how many selected rows were left alone, and why (the policy said no)."""
    _report_skipped_count(modeladmin, request, queryset.count() - len(done))


def _report_skipped_count(modeladmin, request, skipped):
    if skipped > 0:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d dienst overgeslagen: die valt buiten uw gemeenten (of is landelijk "
                "aanbod, dat de landelijke redactie controleert).",
                "%(count)d diensten overgeslagen: die vallen buiten uw gemeenten (of zijn "
                "landelijk aanbod, dat de landelijke redactie controleert).",
                skipped,
            )
            % {"count": skipped},
            messages.WARNING,
        )


@admin.action(description=_("Markeren als gecontroleerd"), permissions=["curate"], location=BOTH)
def mark_verified(modeladmin, request, queryset):
    services = modeladmin.curatable(request, queryset)
    _report_skipped(modeladmin, request, queryset, services)
    actions.services_verify(services=services, user=request.user)
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d dienst gemarkeerd als gecontroleerd.",
            "%(count)d diensten gemarkeerd als gecontroleerd.",
            len(services),
        )
        % {"count": len(services)},
        messages.SUCCESS,
    )


class CampaignForm(forms.Form):
    """The two choices of a campaign, asked on its confirmation page."""

    name = forms.CharField(label=_("Naam van de controleronde"), max_length=200)
    reminder_days = forms.IntegerField(
        label=_("Herinnering na dagen"),
        min_value=1,
        max_value=365,
        help_text=_("Wie dan nog niet heeft geantwoord, krijgt één herinnering."),
    )


@admin.action(
    description=_("Controleronde starten: aanbieders per e-mail vragen"), permissions=["curate"]
)
def start_campaign(modeladmin, request, queryset):
    """First a preview of every e-mail (recipient and exact text); only "Versturen" sends."""
    services = access.scope(request.user, "curate", Service.objects.filter(pk__in=queryset))
    selected = queryset.count()
    left_out = selected - services.count()
    default_name = gettext("Controleronde %(date)s") % {
        "date": timezone.localdate().strftime("%d-%m-%Y")
    }
    confirmed = request.POST.get("confirm") == "yes"
    form = CampaignForm(
        request.POST if confirmed else None,
        initial={"name": default_name, "reminder_days": 14},
    )
    if confirmed and form.is_valid():
        campaign, skipped = actions.campaign_start(
            name=form.cleaned_data["name"],
            services=services,
            user=request.user,
            reminder_days=form.cleaned_data["reminder_days"],
            base_url=request.build_absolute_uri("/"),
        )
        _report_campaign(modeladmin, request, campaign, skipped, left_out)
        return HttpResponseRedirect(
            reverse("admin:services_verificationcampaign_change", args=[campaign.pk])
        )
    planned, skipped = actions.campaign_plan(services)
    link = gettext("[uw persoonlijke link]")
    previews = []
    for organisation, email, its_services in planned:
        subject, body = actions.campaign_message(
            organisation=organisation, services=its_services, link=link
        )
        previews.append(
            {"organisation": organisation, "email": email, "subject": subject, "body": body}
        )
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": gettext("Controleronde: eerst nakijken, dan versturen"),
        "previews": previews,
        "skipped": skipped,
        "left_out": left_out,
        "service_count": services.count(),
        "selected_ids": [str(pk) for pk in queryset.values_list("pk", flat=True)],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "form": form,
    }
    return TemplateResponse(request, "admin/services/service/campaign_confirm.html", context)


def _report_campaign(modeladmin, request, campaign, skipped, left_out):
    """What was sent and what was not, and why, in one place after "Versturen"."""
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d e-mail verstuurd.",
            "%(count)d e-mails verstuurd.",
            campaign.sent,
        )
        % {"count": campaign.sent},
        messages.SUCCESS,
    )
    if skipped:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d aanbieder overgeslagen: geen e-mailadres bekend (%(names)s).",
                "%(count)d aanbieders overgeslagen: geen e-mailadres bekend (%(names)s).",
                len(skipped),
            )
            % {"count": len(skipped), "names": ", ".join(o.name for o in skipped)},
            messages.WARNING,
        )
    if campaign.failed:
        modeladmin.message_user(
            request,
            gettext("De mailserver weigerde de e-mail aan: %(emails)s.")
            % {"emails": ", ".join(r.email for r in campaign.failed)},
            messages.ERROR,
        )
    if left_out:
        _report_skipped_count(modeladmin, request, left_out)


@admin.register(Service)
class ServiceAdmin(NotFoundOutsideScopeMixin, csv_io.CsvExportMixin, admin.ModelAdmin):
    form = ServiceAdminForm
    list_display = [
        "name",
        "organisation",
        "status",
        "pending_change",
        "scope",
        "verified_at",
        "modified",
    ]
    list_filter = [
        "status",
        VerificationFilter,
        "scope",
        "cost",
        "format",
        "provided_by",
        "referral_required",
        "support_types",
        "target_groups",
        "municipalities",
    ]
    list_select_related = ["organisation"]
    search_fields = ["name", "summary", "organisation__name"]
    date_hierarchy = "modified"
    # Short lists as tick boxes (no two-pane picker with "hold Control"); the municipalities
    # keep the picker, as a national instance has 342 of them.
    filter_horizontal = ["municipalities"]
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    readonly_fields = ["created", "modified", "verified_at", "verified_by"]
    inlines = [LocationInline, SessionInline]
    save_on_top = True  # short edits near the top reach the buttons without the whole form
    actions = [publish, archive, mark_verified, start_campaign]
    fieldsets = [
        (
            None,
            {"fields": ["organisation", "name", "alternate_name", "summary", "essence"]},
        ),
        (_("Indeling"), {"fields": ["support_types", "target_groups", "themes"]}),
        (
            _("Kenmerken"),
            {
                "fields": [
                    ("format", "frequency", "provided_by"),
                    ("at_home", "out_of_home", "online", "by_phone"),
                ]
            },
        ),
        (_("Kosten"), {"fields": [("cost", "cost_amount", "cost_unit"), "cost_text"]}),
        (
            _("Voorwaarden en aanmelden"),
            {
                "fields": [
                    ("min_age", "max_age"),
                    ("low_income_only", "referral_required"),
                    "conditions",
                    "how_to_apply",
                    "wait_time",
                ]
            },
        ),
        (_("Bereik"), {"fields": ["scope", "municipalities"]}),
        (_("Contact"), {"fields": [("phone", "email"), "url", "contact_pending", "languages"]}),
        (
            _("Status"),
            {
                "fields": [
                    "status",
                    "alert",
                    ("created", "modified"),
                    ("verified_at", "verified_by"),
                ]
            },
        ),
    ]
    # The web address (slug) is made from the name when the service is saved.

    # Scope

    def get_queryset(self, request):
        pending = ProposedChange.objects.pending().filter(service=OuterRef("pk"))
        return access.scope(request.user, "view", super().get_queryset(request)).annotate(
            has_pending=Exists(pending)
        )

    @admin.display(boolean=True, description=_("wacht op goedkeuring"), ordering="has_pending")
    def pending_change(self, obj):
        return getattr(obj, "has_pending", False)

    def has_module_permission(self, request):
        return is_admin_editor(request.user)

    def has_view_permission(self, request, obj=None):
        if not is_admin_editor(request.user):
            return False
        return obj is None or can_view(request, obj)

    def has_change_permission(self, request, obj=None):
        if not is_admin_editor(request.user):
            return False
        return obj is None or can_edit(request, obj)

    def has_add_permission(self, request):
        return is_admin_editor(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.allows(request.user, "delete", obj) if obj else is_national(request.user)

    def has_curate_permission(self, request):
        """Publish, archive, verify and campaigns: curators only (scope checked per row)."""
        return is_curator(request.user)

    def curatable(self, request, queryset):
        """The part of a selection this user may curate (national rows are read-only)."""
        return list(
            access.scope(
                request.user, "curate", Service.objects.filter(pk__in=queryset.values("pk"))
            ).select_related("organisation")
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        curator = can_curate(request, obj) if obj else is_curator(request.user)
        if not curator:
            fields.append("status")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation" and not is_curator(request.user):
            kwargs["queryset"] = actions.organisations_of(request.user)
            kwargs["empty_label"] = _("Kies uw organisatie")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        """A partner with one organisation finds it chosen already."""
        initial = super().get_changeform_initial_data(request)
        own = list(actions.organisations_of(request.user).values_list("pk", flat=True)[:2])
        if len(own) == 1 and not is_curator(request.user):
            initial.setdefault("organisation", own[0])
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        attrs = {"user": request.user}
        proposal = getattr(request, "_pending_proposal", None)
        if proposal is not None:
            # A partner edits from their pending proposal: its many-to-many values too.
            attrs["proposed_m2m"] = proposal.data.get("m2m", {})
        return type(form.__name__, (form,), attrs)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        # Before the form writes into the instance: the "old" side of history.
        request._service_before = snapshots.snapshot(obj)
        request._pending_proposal = None
        if not can_curate(request, obj):
            proposal = (
                obj.proposed_changes.pending().filter(kind=ProposedChange.Kind.CHANGE).first()
            )
            if proposal is not None and can_edit(request, obj):
                # Edits are never lost: the form starts from what is already proposed.
                snapshots.apply_fields(obj, proposal.data)
                request._pending_proposal = proposal
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if request.method == "GET" and object_id.isascii() and object_id.isdigit():
            service = self.get_queryset(request).filter(pk=object_id).first()
            if service is not None:
                extra_context["review_notice"] = self.review_notice(request, service)
        return super().change_view(request, object_id, form_url, extra_context)

    def review_notice(self, request, service):
        """What waits for a curator, or the reason of the last rejection, in words."""
        proposals = service.proposed_changes.order_by("-created")
        pending = [p for p in proposals if p.state == ProposedChange.State.PENDING]
        if pending:
            changed = actions.proposal_diff(pending[0])
            return {
                "kind": "pending",
                "rows": changed,
                "by_partner": not can_curate(request, service),
            }
        rejected = next((p for p in proposals if p.state == ProposedChange.State.REJECTED), None)
        if rejected is not None:
            return {"kind": "rejected", "reason": rejected.reason, "at": rejected.decided_at}
        return None

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "_proposed", False) and level == messages.SUCCESS:
            return  # "met succes gewijzigd" would be untrue: nothing is live yet
        return super().message_user(request, message, level, *args, **kwargs)

    # Saving: the policy's answer (form.write) says how: directly, as a proposal, or sent
    # for review. It was decided in the form's clean() on the stored and the new values.

    def save_model(self, request, obj, form, change):
        write = getattr(form, "write", access.Write.DIRECT)
        if write == access.Write.PROPOSE:
            return  # the live row stays as approved; see save_related
        if write == access.Write.SUBMIT:
            obj.status = Service.Status.IN_REVIEW
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        before = getattr(request, "_service_before", None)
        write = getattr(form, "write", access.Write.DIRECT)
        if write == access.Write.PROPOSE:
            pending = getattr(request, "_pending_proposal", None)
            shown = pending.data if pending is not None else before
            data = snapshots.snapshot_from_admin(obj, form, formsets, shown)
            _nothing_saved(formsets)
            proposal = actions.service_propose_change(
                service=obj, data=data, user=request.user, base=before, shown=shown
            )
            request._proposed = True
            if proposal is not None:
                self.message_user(
                    request,
                    gettext(
                        "Uw wijziging wacht op goedkeuring door de gemeente. Tot dan ziet "
                        "het publiek de oude gegevens."
                    ),
                    messages.INFO,
                )
            return
        super().save_related(request, form, formsets, change)
        obj.refresh_search_extra()
        if write == access.Write.SUBMIT:
            request._proposed = True
            actions.service_submit(service=obj, user=request.user, before=before)
            self.message_user(
                request,
                gettext(
                    "Uw dienst is naar de gemeente gestuurd. Na goedkeuring ziet het publiek "
                    "de dienst."
                ),
                messages.INFO,
            )
        else:
            actions.version_record(
                service=obj, user=request.user, source=actions.Source.ADMIN, before=before
            )

    def bulk_status(self, request, queryset, status):
        done, failed = 0, []
        allowed = self.curatable(request, queryset)
        _report_skipped(self, request, queryset, allowed)
        for service in allowed:
            try:
                with transaction.atomic():
                    actions.service_set_status(
                        service=service,
                        user=request.user,
                        status=status,
                        source=actions.Source.BULK,
                    )
                done += 1
            except ValidationError as error:
                failed.append(f"{service.name}: {' '.join(error.messages)}")
        self.message_user(
            request,
            ngettext("%(count)d dienst aangepast.", "%(count)d diensten aangepast.", done)
            % {"count": done},
            messages.SUCCESS,
        )
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    # Extra pages: history (replaces the admin's own), dashboard, import, export.

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("dashboard/", wrap(self.dashboard_view), name="services_dashboard"),
            path("import/", wrap(self.import_view), name="services_service_import"),
            path("preview/", wrap(self.preview_view), name="services_service_preview_add"),
            path(
                "<path:object_id>/preview/",
                wrap(self.preview_view),
                name="services_service_preview",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                wrap(self.restore_view),
                name="services_service_restore",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        service = self.get_object(request, object_id)
        if not self.has_view_permission(request, service):
            raise PermissionDenied
        versions = service.versions.select_related("user")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Geschiedenis van %(name)s") % {"name": service.name},
            "service": service,
            "versions": versions,
            "can_restore": can_curate(request, service),
        }
        return TemplateResponse(request, "admin/services/service/versions.html", context)

    def restore_view(self, request, object_id, version_id):
        service = self.get_object(request, object_id)
        if request.method != "POST" or not can_curate(request, service):
            raise PermissionDenied
        version = get_object_or_404(service.versions, pk=version_id)
        try:
            actions.version_restore(version=version, user=request.user)
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request, gettext("De eerdere versie is teruggezet."), messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:services_service_history", args=[service.pk]))

    def preview_view(self, request, object_id=None):
        """What the public page would show with the values in the form, before saving.

        The form is posted here by its "Voorbeeld bekijken" button; nothing is saved. The
        places and sessions shown are the stored ones (their edits are saved with the form).
        """
        if request.method != "POST":
            raise PermissionDenied
        service = self.get_object(request, object_id) if object_id else Service()
        if object_id and not can_edit(request, service):
            raise PermissionDenied
        if not object_id and not self.has_add_permission(request):
            raise PermissionDenied
        form_class = self.get_form(request, service if object_id else None, change=bool(object_id))
        form = form_class(request.POST, instance=service)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Voorbeeld"),
                "errors": form.errors,
            }
            return TemplateResponse(
                request, "admin/services/service/preview_errors.html", context, status=400
            )
        preview = form.instance  # the form wrote its values into this unsaved copy
        relations = {}
        for name in ("target_groups", "support_types", "themes", "languages", "municipalities"):
            if name in form.cleaned_data:
                relations[name] = form.cleaned_data[name]
            elif preview.pk:
                relations[name] = getattr(preview, name).all()
            else:
                relations[name] = getattr(Service, name).field.related_model.objects.none()
        relations["locations"] = Location.objects.filter(service_id=preview.pk).prefetch_related(
            "opening_periods"
        )
        relations["sessions"] = ActivitySession.objects.filter(service_id=preview.pk)
        # The template reads these through .all(): give it the form's values, not the stored.
        preview._prefetched_objects_cache = relations
        context = {
            "service": preview,
            "object": preview,
            "preview": True,
            "related": [],
            **presentation.detail_context(preview),
        }
        return TemplateResponse(request, "services/service_detail.html", context)

    def dashboard_view(self, request):
        if not is_curator(request.user):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Overzicht voor curatoren"),
            **dashboard.overview(request.user),
        }
        return TemplateResponse(request, "admin/services/dashboard.html", context)

    def import_view(self, request):
        if not is_curator(request.user):
            raise PermissionDenied
        return csv_io.import_view(self, request)


# Locations and hours --------------------------------------------------------------------


class OpeningPeriodInline(admin.TabularInline):
    model = OpeningPeriod
    extra = 0

    def _service_allows(self, request, obj):
        return obj is None or can_edit(request, obj.service)

    def has_add_permission(self, request, obj=None):
        return self._service_allows(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._service_allows(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._service_allows(request, obj)

    def has_view_permission(self, request, obj=None):
        return obj is None or can_view(request, obj.service)


@admin.register(Location)
class LocationAdmin(NotFoundOutsideScopeMixin, csv_io.CsvExportMixin, admin.ModelAdmin):
    list_display = ["name", "service", "place", "postcode", "wheelchair_accessible"]
    list_select_related = ["service"]
    list_filter = ["wheelchair_accessible", "municipality"]
    search_fields = ["name", "place", "postcode", "service__name"]
    autocomplete_fields = ["service"]
    inlines = [OpeningPeriodInline]

    def get_queryset(self, request):
        return access.scope(request.user, "view", super().get_queryset(request))

    def has_module_permission(self, request):
        return is_admin_editor(request.user)

    def has_view_permission(self, request, obj=None):
        if not is_admin_editor(request.user):
            return False
        return obj is None or can_view(request, obj.service)

    def has_change_permission(self, request, obj=None):
        if not is_admin_editor(request.user):
            return False
        return obj is None or can_edit(request, obj.service)

    def has_add_permission(self, request):
        return is_admin_editor(request.user)

    def has_delete_permission(self, request, obj=None):
        if not is_admin_editor(request.user):
            return False
        if obj is None:
            return is_curator(request.user)
        return can_curate(request, obj.service) or (
            can_edit(request, obj.service) and not actions.is_live(obj.service)
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "service":
            kwargs["queryset"] = access.scope(request.user, "change", Service.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if request.method == "POST":
            request._service_before = snapshots.snapshot(obj.service)
        return obj

    def _proposes(self, request, obj):
        service = Service.objects.get(pk=obj.service_id)
        return not can_curate(request, service) and actions.is_live(service), service

    def save_model(self, request, obj, form, change):
        proposes, service = self._proposes(request, obj)
        if proposes:
            return  # the live location stays as approved; see save_related
        if not hasattr(request, "_service_before"):
            request._service_before = snapshots.snapshot(service)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        proposes, service = self._proposes(request, obj)
        if proposes:
            data = snapshots.snapshot_with_location(snapshots.snapshot(service), obj, formsets[0])
            _nothing_saved(formsets)
            if actions.service_propose_change(service=service, data=data, user=request.user):
                self.message_user(
                    request,
                    gettext("Uw wijziging wacht op goedkeuring door de gemeente."),
                    messages.INFO,
                )
            return
        super().save_related(request, form, formsets, change)
        actions.version_record(
            service=service,
            user=request.user,
            source=actions.Source.ADMIN,
            before=request._service_before,
        )

    def delete_model(self, request, obj):
        service = obj.service
        before = snapshots.snapshot(service)
        super().delete_model(request, obj)
        actions.version_record(
            service=service, user=request.user, source=actions.Source.ADMIN, before=before
        )


# Review queue ---------------------------------------------------------------------------


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Toelichting voor de aanbieder"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Verplicht bij afwijzen. De aanbieder krijgt deze tekst per e-mail."),
    )


class PendingFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("all", _("Alle")), *ProposedChange.State.choices]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            selected = (self.value() or ProposedChange.State.PENDING) == str(lookup)
            yield {
                "selected": selected,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or ProposedChange.State.PENDING
        return queryset if value == "all" else queryset.filter(state=value)


@admin.register(ProposedChange)
class ProposedChangeAdmin(NotFoundOutsideScopeMixin, csv_io.CsvExportMixin, admin.ModelAdmin):
    list_display = ["service", "kind", "state", "proposer", "created", "decided_by"]

    @admin.display(description=_("voorgesteld door"))
    def proposer(self, obj):
        return actions.proposal_proposer(obj)

    list_filter = [PendingFilter, "kind"]
    list_select_related = ["service__organisation", "proposed_by", "decided_by"]
    search_fields = ["service__name"]

    def get_queryset(self, request):
        return access.scope(request.user, "review", super().get_queryset(request))

    def has_module_permission(self, request):
        return is_curator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_curator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_curator(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proposal = self.get_object(request, object_id)
        form = ReviewForm(request.POST or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                if "approve" in request.POST:
                    actions.proposal_approve(proposal=proposal, user=request.user, reason=reason)
                    self.message_user(request, gettext("Goedgekeurd."), messages.SUCCESS)
                else:
                    actions.proposal_reject(proposal=proposal, user=request.user, reason=reason)
                    self.message_user(request, gettext("Afgewezen."), messages.SUCCESS)
            except PermissionDenied as error:
                # The result would be outside this curator's scope (the policy said no).
                self.message_user(request, str(error), messages.ERROR)
                status = 403
            except ValidationError as error:
                if hasattr(error, "error_dict") and "reason" in error.error_dict:
                    form.add_error("reason", error.error_dict["reason"])
                else:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                return HttpResponseRedirect(reverse("admin:services_proposedchange_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Voorstel beoordelen: %(name)s") % {"name": proposal.service.name},
            "proposal": proposal,
            "rows": actions.proposal_diff(proposal),
            "proposer": actions.proposal_proposer(proposal),
            "form": form,
            "pending": proposal.state == ProposedChange.State.PENDING,
        }
        context["may_decide"] = access.allows(request.user, "review", proposal)
        return TemplateResponse(
            request, "admin/services/proposedchange/review.html", context, status=status
        )


# Campaigns ------------------------------------------------------------------------------


class CampaignRecipientInline(admin.TabularInline):
    model = CampaignRecipient
    extra = 0
    fields = ["organisation", "email", "sent_at", "reminded_at", "answered_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(VerificationCampaign)
class VerificationCampaignAdmin(NotFoundOutsideScopeMixin, csv_io.CsvExportMixin, admin.ModelAdmin):
    list_display = ["name", "created", "created_by", "reminder_days"]
    readonly_fields = ["name", "created", "created_by", "reminder_days"]
    inlines = [CampaignRecipientInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("created_by")
        return access.scope(request.user, "view", queryset)

    def has_module_permission(self, request):
        return is_curator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_curator(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return is_national(request.user)


# Everything else ------------------------------------------------------------------------


class PolicyAdmin(csv_io.CsvExportMixin, admin.ModelAdmin):
    """Rows and permissions straight from the access policy (view, change, add, delete)."""

    def get_queryset(self, request):
        return access.scope(request.user, "view", super().get_queryset(request))

    def _allows(self, request, action, obj=None):
        return access.allows(request.user, action, obj, kind=self.opts.label_lower)

    def has_module_permission(self, request):
        return self._allows(request, "view")

    def has_view_permission(self, request, obj=None):
        return self._allows(request, "view", obj)

    def has_change_permission(self, request, obj=None):
        return self._allows(request, "change", obj)

    def has_add_permission(self, request):
        return self._allows(request, "add")

    def has_delete_permission(self, request, obj=None):
        return self._allows(request, "delete", obj)


@admin.register(Organisation)
class OrganisationAdmin(NotFoundOutsideScopeMixin, PolicyAdmin):
    list_display = ["name", "domain", "website", "email", "phone"]
    list_filter = ["domain"]
    search_fields = ["name", "description"]
    filter_horizontal = ["users"]
    prepopulated_fields = {"slug": ["name"]}

    def get_readonly_fields(self, request, obj=None):
        # Linking people to an organisation makes them its partners: not a municipal
        # curator's call, or they could give themselves another provider's services.
        if access.allows(request.user, "link_users", obj, kind=self.opts.label_lower):
            return super().get_readonly_fields(request, obj)
        return [*super().get_readonly_fields(request, obj), "users"]

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        request._organisation_before = snapshots.organisation_snapshot(obj)
        return obj

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        request._organisation_saved = obj

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        actions.organisation_version_record(
            organisation=form.instance,
            user=request.user,
            before=getattr(request, "_organisation_before", None),
        )


@admin.register(Municipality)
class MunicipalityAdmin(PolicyAdmin):
    list_display = ["name", "cbs_code"]
    search_fields = ["name", "cbs_code"]
    filter_horizontal = ["curators"]
    prepopulated_fields = {"slug": ["name"]}


class TaxonomyAdmin(PolicyAdmin):
    list_display = ["name", "description", "position"]
    list_editable = ["position"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


for taxonomy in (TargetGroup, SupportType, Theme):
    admin.site.register(taxonomy, TaxonomyAdmin)


@admin.register(Language)
class LanguageAdmin(TaxonomyAdmin):
    list_display = ["name", "code", "position"]


@admin.register(Synonym)
class SynonymAdmin(PolicyAdmin):
    list_display = ["term", "alternatives"]
    search_fields = ["term", "alternatives"]


@admin.register(ErrorReport)
class ErrorReportAdmin(NotFoundOutsideScopeMixin, csv_io.CsvExportMixin, admin.ModelAdmin):
    list_display = ["service", "topic", "state", "created"]
    list_filter = ["state", "topic"]
    list_select_related = ["service"]
    search_fields = ["service__name", "message"]
    readonly_fields = ["service", "topic", "message", "created"]

    def get_queryset(self, request):
        return access.scope(request.user, "view", super().get_queryset(request))
