from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import (
    ErrorReport,
    Language,
    Location,
    Municipality,
    OpeningPeriod,
    Organisation,
    Service,
    SupportType,
    Synonym,
    TargetGroup,
    Theme,
)

admin.site.site_header = _("Sociale Kaart – beheer")
admin.site.site_title = _("Sociale Kaart")
admin.site.index_title = _("Beheer van het aanbod")


class ServiceAdminForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        # The many-to-many rules live on the model; the form hands it the chosen values.
        try:
            self.instance.clean_relations(
                municipalities=cleaned.get("municipalities") or [],
                target_groups=cleaned.get("target_groups") or [],
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned


class OpeningPeriodInline(admin.TabularInline):
    model = OpeningPeriod
    extra = 0


class LocationInline(admin.StackedInline):
    model = Location
    extra = 0
    show_change_link = True
    fields = [
        ("name", "municipality"),
        ("address", "postcode", "place"),
        ("latitude", "longitude"),
        ("wheelchair_accessible", "accessibility"),
        "hours_note",
    ]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    form = ServiceAdminForm
    list_display = ["name", "organisation", "status", "scope", "cost", "verified_at", "modified"]
    list_filter = [
        "status",
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
    filter_horizontal = ["support_types", "target_groups", "themes", "municipalities", "languages"]
    readonly_fields = ["created", "modified", "verified_at", "verified_by"]
    inlines = [LocationInline]
    fieldsets = [
        (None, {"fields": ["organisation", "name", "alternate_name", "slug", "summary", "essence"]}),
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
        (_("Contact"), {"fields": [("phone", "email"), "url", "languages"]}),
        (
            _("Status"),
            {"fields": ["status", "alert", ("created", "modified"), ("verified_at", "verified_by")]},
        ),
    ]
    prepopulated_fields = {"slug": ["name"]}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_search_extra()


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "place", "postcode", "wheelchair_accessible"]
    list_select_related = ["service"]
    list_filter = ["wheelchair_accessible", "municipality"]
    search_fields = ["name", "place", "postcode", "service__name"]
    autocomplete_fields = ["service"]
    inlines = [OpeningPeriodInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "website", "email", "phone"]
    list_filter = ["domain"]
    search_fields = ["name", "description"]
    filter_horizontal = ["users"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "cbs_code"]
    search_fields = ["name", "cbs_code"]
    prepopulated_fields = {"slug": ["name"]}


class TaxonomyAdmin(admin.ModelAdmin):
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
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["term", "alternatives"]
    search_fields = ["term", "alternatives"]


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ["service", "topic", "state", "created"]
    list_filter = ["state", "topic"]
    list_select_related = ["service"]
    search_fields = ["service__name", "message"]
    readonly_fields = ["service", "topic", "message", "created"]
