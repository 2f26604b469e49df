"""Coalitions in the admin: coordinators keep their own coalition current, curators all of their
municipality's, superusers everything.

Every hook asks the access policy (services.access), which knows for each model the path
to its coalition. A record outside what the user may edit is not found at all (404).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from services import access
from services.models import Municipality, Organisation, Service
from services.numbers import DutchDecimalField

from . import progress
from .models import (
    PILLARS,
    Coalition,
    Commitment,
    Goal,
    Indicator,
    LonelinessFigure,
    Measurement,
    Membership,
)


def scoped(queryset, user):
    """queryset narrowed to rows whose coalition the user may edit (the policy's answer)."""
    return access.scope(user, "change", queryset)


def may_edit_any(user):
    return access.manages_coalitions(user)


# Choices for foreign keys, by related model: every one limited to what the user may edit.
FOREIGN_KEY_SCOPES = {Coalition, Membership, Goal, Indicator}


class PolicyPermissions:
    """Every admin permission hook asks the access policy one question: may this user change
    obj (for an inline: the parent being edited), or anything of this kind when obj is None?"""

    def _may_edit_any(self, request):
        return may_edit_any(request.user)

    def _may_edit(self, request, obj):
        if obj is None:
            return self._may_edit_any(request)
        return access.allows(request.user, "change", obj)

    def has_module_permission(self, request):
        return self._may_edit(request, None)

    def has_view_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_add_permission(self, request, obj=None):
        # A ModelAdmin passes no obj (adding anything); an inline passes the parent.
        return self._may_edit(request, obj)


class ScopedFormfieldsMixin:
    # Figures as Dutch people type them ("46,5"), not as a browser's number input reads them.
    formfield_overrides = {models.DecimalField: {"form_class": DutchDecimalField}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.related_model
        if model in FOREIGN_KEY_SCOPES:
            queryset = model._default_manager.all()
            if model is Membership:
                queryset = queryset.select_related("organisation")
            if model is Indicator:
                queryset = queryset.select_related("goal")
            kwargs["queryset"] = scoped(queryset, request.user)
        elif model is Municipality:
            kwargs["queryset"] = access.municipalities(request.user)
        elif model is Organisation:
            kwargs["queryset"] = Organisation.objects.order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is Service:
            # Services of organisations that take part in a coalition the user may edit;
            # Commitment.clean_relations then narrows it to the chosen member.
            organisations = scoped(Membership.objects.all(), request.user).values("organisation_id")
            kwargs["queryset"] = Service.objects.filter(
                organisation__in=organisations
            ).select_related("organisation")
        elif db_field.name == "coordinators":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdmin(PolicyPermissions, ScopedFormfieldsMixin, admin.ModelAdmin):
    """A ModelAdmin whose rows, permissions and choices all follow editable_by."""

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("Niet gevonden."))
        return obj


class ScopedInline(PolicyPermissions, ScopedFormfieldsMixin):
    """Inline permissions follow the parent coalition (obj is the parent being edited)."""


class MembershipInline(ScopedInline, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["organisation", "domain", "role", "since"]


class GoalInline(ScopedInline, admin.TabularInline):
    model = Goal
    extra = 0
    fields = ["title", "target_date", "position"]
    show_change_link = True


def _pillar_fieldsets():
    return [
        (label, {"fields": [(f"{key}_status", f"{key}_note")], "description": help_text})
        for key, label, help_text in PILLARS
    ]


@admin.register(Coalition)
class CoalitionAdmin(ScopedAdmin):
    list_display = ["name", "municipality", "step", "is_published", "modified"]
    list_filter = ["is_published", "step", "municipality"]
    list_select_related = ["municipality"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["coordinators"]
    inlines = [MembershipInline, GoalInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "municipality",
                    "name",
                    "slug",
                    "description",
                    ("lead_organisation", "start_date"),
                    "step",
                    "is_published",
                ]
            },
        ),
        *_pillar_fieldsets(),
        (_("Beheer"), {"fields": ["coordinators"]}),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and object_id.isascii() and object_id.isdigit():
            coalition = self.get_queryset(request).filter(pk=object_id).first()
            for warning in progress.consistency_warnings(coalition) if coalition else []:
                self.message_user(request, warning, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in progress.consistency_warnings(obj):
            self.message_user(request, warning, messages.WARNING)

    def has_add_permission(self, request):
        # New coalitions are started by the municipality.
        return access.allows(request.user, "manage", kind="coalitions.coalition")

    def get_readonly_fields(self, request, obj=None):
        # A coordinator keeps the page current but does not move it or hand out access.
        if obj is not None and not access.allows(request.user, "manage", obj):
            return ["municipality", "coordinators"]
        return []


class IndicatorInline(ScopedInline, admin.StackedInline):
    model = Indicator
    extra = 0
    fields = ["name", ("unit", "direction"), ("baseline", "target")]
    show_change_link = True


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["membership", "description", "services"]

    def clean(self):
        cleaned = super().clean()
        membership = cleaned.get("membership")
        if membership is not None:
            self.instance.membership = membership
            try:
                self.instance.clean_relations(services=cleaned.get("services") or [])
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        return cleaned


class CommitmentInline(ScopedInline, admin.StackedInline):
    model = Commitment
    form = CommitmentForm
    extra = 0
    # A member offers a handful of services: tick boxes read easier than a two-pane picker.
    formfield_overrides = {
        **ScopedFormfieldsMixin.formfield_overrides,
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            # Only members of this goal's coalition can commit to it.
            field = formset.form.base_fields["membership"]
            field.queryset = field.queryset.filter(coalition=obj.coalition_id)
        return formset


@admin.register(Goal)
class GoalAdmin(ScopedAdmin):
    list_display = ["title", "coalition", "target_date"]
    list_select_related = ["coalition"]
    list_filter = ["coalition"]
    search_fields = ["title", "description"]
    fields = ["coalition", "title", "description", "target_date", "position"]
    inlines = [IndicatorInline, CommitmentInline]


class MeasurementInline(ScopedInline, admin.TabularInline):
    model = Measurement
    extra = 1
    fields = ["date", "value", "unit", "source"]


@admin.register(Indicator)
class IndicatorAdmin(ScopedAdmin):
    list_display = ["name", "goal", "unit", "baseline", "target", "direction"]
    list_select_related = ["goal"]
    search_fields = ["name", "goal__title"]
    fields = ["goal", "name", ("unit", "direction"), ("baseline", "target")]
    inlines = [MeasurementInline]


@admin.register(LonelinessFigure)
class LonelinessFigureAdmin(PolicyPermissions, ScopedFormfieldsMixin, admin.ModelAdmin):
    list_display = ["__str__", "year", "lonely_percent", "severely_lonely_percent", "source"]
    list_select_related = ["municipality"]
    list_filter = ["year", "municipality"]

    def get_queryset(self, request):
        return super().get_queryset(request).editable_by(request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("Niet gevonden."))
        return obj

    def _may_edit_any(self, request):
        return access.allows(request.user, "change", kind="coalitions.lonelinessfigure")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not access.actor(request.user).national:
            # Only national curators keep the national figures (an empty municipality).
            form.base_fields["municipality"].required = True
        return form
