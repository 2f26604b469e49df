"""CSV export of any filtered admin list, and CSV import of services.

An import is checked row by row and field by field first; if any row has an error nothing is
written. Valid rows go through the same form validation, scope rules and history as edits.
"""

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from services import access, actions, snapshots, versions
from services.models import (
    Municipality,
    Organisation,
    Service,
    SupportType,
    TargetGroup,
    Theme,
)

from .forms import ServiceAdminForm

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 2000
LIST_SEPARATOR = ";"
# Columns of the service CSV, for export and import alike.
SERVICE_COLUMNS = [
    "slug",
    "name",
    "organisation",
    "summary",
    "essence",
    "status",
    "scope",
    "municipalities",
    "target_groups",
    "support_types",
    "themes",
    "format",
    "frequency",
    "provided_by",
    "at_home",
    "out_of_home",
    "online",
    "by_phone",
    "cost",
    "cost_amount",
    "cost_unit",
    "cost_text",
    "min_age",
    "max_age",
    "low_income_only",
    "referral_required",
    "conditions",
    "how_to_apply",
    "wait_time",
    "phone",
    "email",
    "url",
]
RELATIONS = {
    "municipalities": Municipality,
    "target_groups": TargetGroup,
    "support_types": SupportType,
    "themes": Theme,
}
BOOLEANS = {"at_home", "out_of_home", "online", "by_phone", "low_income_only", "referral_required"}
TRUE = {"1", "ja", "j", "yes", "true", "waar", "x"}
FALSE = {"", "0", "nee", "n", "no", "false", "onwaar"}


def safe_cell(value):
    """A cell spreadsheets will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


# Export ---------------------------------------------------------------------------------


def service_row(service):
    row = []
    for column in SERVICE_COLUMNS:
        if column in RELATIONS:
            value = LIST_SEPARATOR.join(o.name for o in getattr(service, column).all())
        elif column == "organisation":
            value = service.organisation.name
        elif column in BOOLEANS:
            value = "ja" if getattr(service, column) else "nee"
        else:
            value = getattr(service, column)
        row.append(safe_cell(value))
    return row


class CsvExportMixin:
    """Adds an "export/" page that writes the changelist, as filtered, to CSV."""

    csv_export = True

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_changelist),
                name="{}_{}_export".format(*info),
            ),
            *super().get_urls(),
        ]

    def export_changelist(self, request):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        queryset = changelist.get_queryset(request)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="{self.opts.model_name}-{stamp}.csv"'
        )
        response.write("\ufeff")  # so spreadsheet programs read UTF-8
        writer = csv.writer(response, delimiter=LIST_SEPARATOR)
        if self.model is Service:
            writer.writerow(SERVICE_COLUMNS)
            queryset = queryset.select_related("organisation").prefetch_related(*RELATIONS)
            for service in queryset:
                writer.writerow(service_row(service))
            return response
        fields = [f for f in self.opts.concrete_fields if not f.name.startswith("search_")]
        writer.writerow([f.name for f in fields])
        for obj in queryset:
            writer.writerow(
                [safe_cell(getattr(obj, f.attname)) for f in fields]  # ids, not names: no N+1
            )
        return response


# Import ---------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV-bestand"))
    dry_run = forms.BooleanField(
        label=_("Alleen controleren, nog niets opslaan"), required=False, initial=True
    )


class ImportRow:
    def __init__(self, number, name, form=None, errors=None, existing=None, before=None):
        self.before = before  # the existing service before the form wrote into it
        self.number = number
        self.name = name
        self.form = form
        self.errors = errors or []
        self.existing = existing

    @property
    def action(self):
        return gettext("bijwerken") if self.existing else gettext("nieuw")


def read_rows(uploaded):
    """The rows of an uploaded CSV as dicts; raises ValidationError on an unreadable file."""
    if uploaded.size > MAX_IMPORT_BYTES:
        raise ValidationError(gettext("Het bestand is groter dan 2 MB."))
    try:
        content = uploaded.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(gettext("Sla het bestand op als CSV in UTF-8.")) from error
    if "\x00" in content:
        raise ValidationError(gettext("Het bestand bevat ongeldige tekens."))
    first_line = content.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(content), delimiter=delimiter)
    unknown = [c for c in reader.fieldnames or [] if c not in SERVICE_COLUMNS]
    if not reader.fieldnames or "name" not in reader.fieldnames:
        raise ValidationError(gettext("De eerste regel moet de kolomnamen bevatten, met name."))
    if unknown:
        raise ValidationError(
            gettext("Onbekende kolommen: %(columns)s.") % {"columns": ", ".join(unknown)}
        )
    rows = list(reader)
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationError(
            gettext("Hoogstens %(max)d regels per keer.") % {"max": MAX_IMPORT_ROWS}
        )
    return rows, [c for c in reader.fieldnames if c in SERVICE_COLUMNS]


class Preloaded:
    """A model choice looked up in objects loaded once per file, not queried per row."""

    def __init__(self, objects, **kwargs):
        self.objects = objects
        super().__init__(**kwargs)


class PreloadedChoice(Preloaded, forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.objects[int(value)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class PreloadedMultipleChoice(Preloaded, forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        chosen = []
        for pk in value:
            try:
                chosen.append(self.objects[int(pk)])
            except (KeyError, TypeError, ValueError):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                ) from None
        return chosen


class ImportFormBase(ServiceAdminForm):
    """The admin's form, with every lookup answered from what the file's check loaded once."""

    def _get_validation_exclusions(self):
        # The organisation was found among the loaded ones: no second existence query.
        return {*super()._get_validation_exclusions(), "organisation"}

    def validate_unique(self):
        """Slugs are checked for the whole file at once in check_rows."""


def _form_class(user, preloaded):
    """The import form for one file; preloaded: {field name: {pk: object}}."""
    form_class = forms.modelform_factory(
        Service,
        form=type("ImportForm", (ImportFormBase,), {"user": user}),
        fields=SERVICE_COLUMNS,
    )
    for name, objects in preloaded.items():
        field = form_class.base_fields[name]
        kind = PreloadedMultipleChoice if name in RELATIONS else PreloadedChoice
        form_class.base_fields[name] = kind(
            objects, queryset=field.queryset, required=field.required, label=field.label
        )
    form_class.base_fields = SharedFields(form_class.base_fields)
    return form_class


class SharedFields(dict):
    """A form deep-copies its fields for every instance (3 ms a row here, most of a check).
    Checking a row changes no field, so the rows of one file share them."""

    def __deepcopy__(self, memo):
        return dict(self)


def _form_values(instance):
    """Form data for every column, from a stored service (or a new one's defaults)."""
    values = forms.model_to_dict(instance, fields=SERVICE_COLUMNS)
    data = {}
    for column in SERVICE_COLUMNS:
        value = values.get(column)
        if column in RELATIONS:
            data[column] = [obj.pk for obj in value or []]
        elif column in BOOLEANS:
            if value:
                data[column] = "on"
        else:
            data[column] = "" if value is None else value
    return data


def check_rows(rows, columns, user):
    """One ImportRow per CSV row, with every error per field; writes nothing.

    A fixed number of queries whatever the number of rows: terms, organisations, the
    services the file updates (with what their history snapshot needs) and every slug it
    names are loaded once."""
    loaded = {model: list(model.objects.all()) for model in (*RELATIONS.values(), Organisation)}
    names = {model: {o.name.casefold(): o.pk for o in objects} for model, objects in loaded.items()}
    preloaded = {
        name: {o.pk: o for o in loaded[model]}
        for name, model in [*RELATIONS.items(), ("organisation", Organisation)]
    }
    slugs = [s for s in ((row.get("slug") or "").strip() for row in rows) if s]
    own = {
        service.slug: service
        for service in access.scope(user, "curate", Service.objects.all())
        .filter(slug__in=slugs)
        .select_related("organisation")
        .prefetch_related(*RELATIONS)
    }
    taken = set(Service.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    access.preload_stored(own.values())
    snapshots_before = snapshots.snapshot_many(own.values())
    seen_slugs = set()
    form_class = _form_class(user, preloaded)
    checked = []
    for number, row in enumerate(rows, start=2):
        errors = []
        data = {}
        for column in columns:
            value = (row.get(column) or "").strip()
            if column in RELATIONS:
                pks = []
                for part in filter(None, (p.strip() for p in value.split(LIST_SEPARATOR))):
                    pk = names[RELATIONS[column]].get(part.casefold())
                    if pk is None:
                        errors.append((column, gettext("Onbekend: %(value)s") % {"value": part}))
                    else:
                        pks.append(pk)
                data[column] = pks
            elif column == "organisation":
                data[column] = names[Organisation].get(value.casefold(), value and "-1")
            elif column in BOOLEANS:
                if value.casefold() in TRUE:
                    data[column] = "on"
                elif value.casefold() not in FALSE:
                    errors.append((column, gettext("Vul ja of nee in.")))
            else:
                data[column] = value
        existing = None
        slug = data.get("slug")
        if slug:
            existing = own.get(slug)
            if existing is None and slug in taken:
                errors.append(("slug", gettext("Deze dienst kunt u niet bijwerken.")))
            if slug in seen_slugs:
                errors.append(("slug", gettext("Deze slug staat al eerder in het bestand.")))
            seen_slugs.add(slug)
        # Columns left out of the file keep their stored value (or the default when new).
        base = _form_values(existing or Service())
        for column in BOOLEANS & set(columns):
            base.pop(column, None)
        data = {**base, **data}
        if not data.get("status"):
            data["status"] = Service.Status.DRAFT
        before = snapshots_before.get(existing.pk) if existing else None
        form = form_class(data, instance=existing)
        if not form.is_valid():
            for field, messages_ in form.errors.items():
                errors.extend((field, message) for message in messages_)
        checked.append(ImportRow(number, data.get("name", ""), form, errors, existing, before))
    return checked


def import_rows(checked, user):
    """Save checked rows, all or nothing, each recorded in history as an import."""
    with transaction.atomic(), versions.batch():
        for row in checked:
            service = row.form.save()
            service.refresh_search_extra()
            actions.version_record(
                service=service, user=user, source=actions.Source.IMPORT, before=row.before
            )


def import_view(model_admin, request):
    """Upload, preview with every error, and import only when the whole file is right."""
    form = UploadForm(request.POST or None, request.FILES or None)
    checked = None
    file_error = None
    if request.method == "POST" and form.is_valid():
        try:
            rows, columns = read_rows(form.cleaned_data["file"])
        except ValidationError as error:
            file_error = " ".join(error.messages)
        else:
            checked = check_rows(rows, columns, request.user)
            failed = any(row.errors for row in checked)
            if not failed and not form.cleaned_data["dry_run"]:
                import_rows(checked, request.user)
                model_admin.message_user(
                    request,
                    ngettext(
                        "%(count)d dienst geïmporteerd.",
                        "%(count)d diensten geïmporteerd.",
                        len(checked),
                    )
                    % {"count": len(checked)},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:services_service_changelist"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": gettext("Diensten importeren uit CSV"),
        "form": form,
        "rows": checked,
        "file_error": file_error,
        "failed": checked is not None and any(row.errors for row in checked),
        "columns": SERVICE_COLUMNS,
    }
    return TemplateResponse(request, "admin/services/service/import.html", context)
