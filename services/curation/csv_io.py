"""CSV export of any filtered admin list, and CSV import of services.

The service file speaks the language of the form: its headers are the field labels ("naam",
"aanbieder", "individueel of groep") and its values the labels people see ("In een groep",
"ja", "Hierdorp, Daarstad"); the old English column names and value codes are still read.
An import is one upload: the file is checked row by row and field by field, the page says
per row what will happen, and "Importeer" writes it, all or nothing, from the copy kept in
the user's session (stored in the database, so any app server can finish what another
started; never in process memory). Valid rows go through the admin's form validation and the
access policy's scope rules, and are recorded in history like edits.

Checking and importing take a fixed number of queries whatever the number of rows: the
lookups are loaded once, the rows are written with bulk_create/bulk_update, history is
recorded in bulk (actions.version_record_many) and the catalogue versions of exactly the
services written are bumped (versions.bump_services), with the search columns filled here
because bulk writes skip Service.save().
"""

import csv
import hashlib
import io
import unicodedata

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services import access, actions, snapshots, text, versions
from services.models import (
    Municipality,
    Organisation,
    Service,
    SupportType,
    TargetGroup,
    Theme,
)
from services.numbers import format_number

from .forms import ServiceAdminForm

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 2000
SESSION_KEY = "service_import"
# Between the columns of an export and the template (what Dutch spreadsheet programs expect);
# an import reads ";", "," or a tab, whichever the first line uses most.
DELIMITER = ";"
# Between several values in one cell: "Hierdorp, Daarstad". ";" is read too (older files).
VALUE_SEPARATORS = (",", ";")
MAX_LISTED = 12  # valid values named in an error message; the rest are in the download
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
REQUIRED = {"name", "organisation", "scope"}
# Headers where the field's own label would not say enough on its own.
HEADERS = {"slug": _("kenmerk (webadres)"), "cost_unit": _("bedrag per")}
RELATIONS = {
    "municipalities": Municipality,
    "target_groups": TargetGroup,
    "support_types": SupportType,
    "themes": Theme,
}
BOOLEANS = {"at_home", "out_of_home", "online", "by_phone", "low_income_only", "referral_required"}
CHOICES = [c for c in SERVICE_COLUMNS if Service._meta.get_field(c).choices]
TRUE = {"1", "ja", "j", "yes", "y", "true", "waar", "x"}
FALSE = {"", "0", "nee", "n", "no", "false", "onwaar"}
SEARCH_FIELDS = Service.SEARCH_TEXT_FIELDS


def fold(value):
    """A cell or header as compared: no case, accents or doubled spaces ("Eén" = "een")."""
    decomposed = unicodedata.normalize("NFKD", str(value))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def header(column):
    """The column's header in the active language."""
    if column in HEADERS:
        return str(HEADERS[column])
    return str(Service._meta.get_field(column).verbose_name)


def headers():
    return [header(column) for column in SERVICE_COLUMNS]


def _in_languages(function):
    """function() in Dutch and in English (what a file from either language may say)."""
    results = []
    for language in ("nl", "en"):
        with translation.override(language):
            results.append(function())
    return results


def header_columns():
    """{folded header: column}: Dutch and English headers, and the old column codes."""
    names = {fold(column): column for column in SERVICE_COLUMNS}
    for found in _in_languages(lambda: {fold(header(c)): c for c in SERVICE_COLUMNS}):
        names.update(found)
    return names


def choice_codes(column):
    """{folded label or code: code} of a choice column, in Dutch and English."""
    field = Service._meta.get_field(column)
    codes = {fold(code): code for code, _label in field.flatchoices}
    for found in _in_languages(lambda: {fold(label): code for code, label in field.flatchoices}):
        codes.update(found)
    return codes


def choice_labels(column):
    return [str(label) for _code, label in Service._meta.get_field(column).flatchoices]


def safe_cell(value):
    """A cell spreadsheets will not run as a formula."""
    cell = "" if value is None else str(value)
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def csv_response(filename):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    return response


# Export ---------------------------------------------------------------------------------


def service_row(service):
    """One service as a row of the import file (labels, not codes)."""
    row = []
    for column in SERVICE_COLUMNS:
        if column in RELATIONS:
            value = ", ".join(o.name for o in getattr(service, column).all())
        elif column == "organisation":
            value = service.organisation.name
        elif column in BOOLEANS:
            value = gettext("ja") if getattr(service, column) else gettext("nee")
        elif column in CHOICES:
            value = getattr(service, f"get_{column}_display")() if getattr(service, column) else ""
        elif column == "cost_amount":
            value = format_number(service.cost_amount, 2) if service.cost_amount is not None else ""
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
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        queryset = changelist.get_queryset(request)
        stamp = timezone.localdate().isoformat()
        response = csv_response(f"{self.opts.model_name}-{stamp}.csv")
        writer = csv.writer(response, delimiter=DELIMITER)
        if self.model is Service:
            writer.writerow(headers())
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


# The template and the valid values ------------------------------------------------------


def valid_values(user):
    """[(column, header, required, [valid values] or None for free text)] in file order.

    Municipalities: those this user may import into (a curator's own)."""
    lists = {
        "organisation": list(Organisation.objects.order_by("name").values_list("name", flat=True)),
        "municipalities": list(
            access.municipalities(user).order_by("name").values_list("name", flat=True)
        ),
        **{
            name: list(model.objects.order_by("name").values_list("name", flat=True))
            for name, model in RELATIONS.items()
            if name != "municipalities"
        },
        "status": choice_labels("status"),
    }
    described = []
    for column in SERVICE_COLUMNS:
        if column in lists:
            values = lists[column]
        elif column in BOOLEANS:
            values = [gettext("ja"), gettext("nee")]
        elif column in CHOICES:
            values = choice_labels(column)
        else:
            values = None
        described.append((column, header(column), column in REQUIRED, values))
    return described


def template_response():
    response = csv_response(gettext("diensten-sjabloon") + ".csv")
    csv.writer(response, delimiter=DELIMITER).writerow(headers())
    return response


def valid_values_response(user):
    response = csv_response(gettext("diensten-geldige-waarden") + ".csv")
    writer = csv.writer(response, delimiter=DELIMITER)
    writer.writerow([gettext("kolom"), gettext("geldige waarde")])
    for _column, title, _required, values in valid_values(user):
        for value in values or []:
            writer.writerow([title, safe_cell(value)])
    return response


# Reading --------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV-bestand"),
        help_text=_("Hoogstens 2 MB en 2000 regels. Kolommen gescheiden door ; of ,."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ImportRow:
    def __init__(self, number, name, form=None, errors=None, existing=None, before=None):
        self.before = before  # the existing service's snapshot before the form wrote into it
        self.number = number
        self.name = name
        self.form = form
        self.errors = errors or []  # [(column, message)]
        self.existing = existing
        self.changed = []  # headers of the columns an update changes

    @property
    def action(self):
        if self.errors:
            return gettext("niet mogelijk")
        if not self.existing:
            return gettext("nieuw")
        if not self.changed:
            return gettext("geen wijzigingen")
        return gettext("bijwerken: %(columns)s") % {"columns": ", ".join(self.changed)}

    @property
    def shown_errors(self):
        """[(header, message)] for people."""
        titles = {column: header(column) for column in SERVICE_COLUMNS}
        return [(titles.get(column, ""), message) for column, message in self.errors]


def decode(uploaded):
    """The text of an uploaded file; ValidationError when it is not a readable CSV."""
    if uploaded.size > MAX_IMPORT_BYTES:
        raise ValidationError(gettext("Het bestand is groter dan 2 MB."))
    try:
        content = uploaded.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(gettext("Sla het bestand op als CSV in UTF-8.")) from error
    if "\x00" in content:
        raise ValidationError(gettext("Het bestand bevat ongeldige tekens."))
    return content


def delimiter_of(content):
    first_line = content.split("\n", 1)[0]
    return max((";", ",", "\t"), key=first_line.count)


def read_text(content):
    """(rows as {column: cell} with their line under "__line__", columns, delimiter)."""
    delimiter = delimiter_of(content)
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    try:
        first = next(reader)
    except (StopIteration, csv.Error):
        first = []
    names = header_columns()
    columns = [names.get(fold(title)) for title in first]
    if "name" not in columns:
        raise ValidationError(
            gettext(
                "De eerste regel moet de kolomnamen bevatten, met in elk geval '%(name)s'. "
                "Download het sjabloon voor de juiste kolommen."
            )
            % {"name": header("name")}
        )
    unknown = [title for title, column in zip(first, columns, strict=True) if column is None]
    unknown = [title for title in unknown if title.strip()]
    if unknown:
        raise ValidationError(
            gettext("Onbekende kolommen: %(columns)s. Gebruik de kolommen van het sjabloon.")
            % {"columns": ", ".join(unknown)}
        )
    twice = sorted({header(c) for c in columns if c and columns.count(c) > 1})
    if twice:
        raise ValidationError(
            gettext("Deze kolommen staan er twee keer in: %(columns)s.")
            % {"columns": ", ".join(twice)}
        )
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # empty lines, also ";;;;" from spreadsheet programs
            if len(rows) >= MAX_IMPORT_ROWS:
                raise ValidationError(
                    gettext("Hoogstens %(max)d regels per keer.") % {"max": MAX_IMPORT_ROWS}
                )
            row = {c: cell for c, cell in zip(columns, cells, strict=False) if c}
            row["__line__"] = reader.line_num
            rows.append(row)
    except csv.Error as error:
        raise ValidationError(
            gettext("Regel %(line)d is geen geldige CSV.") % {"line": reader.line_num}
        ) from error
    return rows, [c for c in columns if c], delimiter


def read_rows(uploaded):
    """The rows of an uploaded CSV and its columns; raises ValidationError when unreadable."""
    rows, columns, _delimiter = read_text(decode(uploaded))
    return rows, columns


# Checking -------------------------------------------------------------------------------


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


def _not_valid(cell, column, choices):
    """ "'groep' is geen geldige waarde voor Individueel of groep; kies uit: ..."."""
    listed = ", ".join(choices[:MAX_LISTED])
    if len(choices) > MAX_LISTED:
        listed += " " + gettext("(en %(count)d andere: zie de geldige waarden)") % {
            "count": len(choices) - MAX_LISTED
        }
    title = header(column)
    return gettext("'%(value)s' is geen geldige waarde voor %(column)s; kies uit: %(choices)s.") % {
        "value": cell,
        "column": title[:1].upper() + title[1:],
        "choices": listed or "—",
    }


def _split(cell, names):
    """The values of a cell with several: the whole cell when that is one name."""
    if fold(cell) in names:
        return [cell]
    parts = [cell]
    for separator in VALUE_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(separator)]
    return [part.strip() for part in parts if part.strip()]


class Lookups:
    """Everything a file's rows are checked against, loaded once (a fixed number of queries)."""

    def __init__(self, user):
        loaded = {model: list(model.objects.all()) for model in (*RELATIONS.values(), Organisation)}
        self.by_pk = {model: {o.pk: o for o in objects} for model, objects in loaded.items()}
        self.names = {
            model: {fold(o.name): o.pk for o in objects} for model, objects in loaded.items()
        }
        self.listed = {model: sorted(o.name for o in objects) for model, objects in loaded.items()}
        curated = access.municipalities(user).values_list("pk", flat=True)
        own = set(curated)
        self.listed[Municipality] = (
            sorted(o.name for o in loaded[Municipality] if o.pk in own) or self.listed[Municipality]
        )
        self.choices = {column: choice_codes(column) for column in CHOICES}
        self.labels = {column: choice_labels(column) for column in CHOICES}
        self.preloaded = {
            name: self.by_pk[model]
            for name, model in [*RELATIONS.items(), ("organisation", Organisation)]
        }


def _cell_value(column, cell, lookups, errors):
    """The form value for one cell, or an error (appended) naming the valid values."""
    value = cell.strip()
    if column in RELATIONS:
        model = RELATIONS[column]
        names = lookups.names[model]
        pks = []
        for part in _split(value, names):
            pk = names.get(fold(part))
            if pk is None:
                errors.append((column, _not_valid(part, column, lookups.listed[model])))
            else:
                pks.append(pk)
        return pks
    if column == "organisation":
        if not value:
            return ""
        pk = lookups.names[Organisation].get(fold(value))
        if pk is None:
            errors.append(
                (
                    column,
                    gettext(
                        "'%(value)s' is geen bekende aanbieder. Schrijf de naam zoals bij "
                        "Aanbieders, of voeg de aanbieder eerst toe."
                    )
                    % {"value": cell},
                )
            )
        return pk
    if column in BOOLEANS:
        if fold(value) in TRUE:
            return "on"
        if fold(value) not in FALSE:
            errors.append((column, _not_valid(cell, column, [gettext("ja"), gettext("nee")])))
        return None
    if column in CHOICES:
        if not value:
            return ""
        code = lookups.choices[column].get(fold(value))
        if code is None:
            errors.append((column, _not_valid(cell, column, lookups.labels[column])))
        return code
    return value


def check_rows(rows, columns, user):
    """One ImportRow per CSV row, with every error per field; writes nothing.

    A fixed number of queries whatever the number of rows: terms, organisations, the
    services the file updates (with what their history snapshot needs) and every slug it
    names are loaded once."""
    lookups = Lookups(user)
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
    form_class = _form_class(user, lookups.preloaded)
    titles = {column: header(column) for column in SERVICE_COLUMNS}
    checked = []
    for index, row in enumerate(rows):
        number = row.get("__line__", index + 2)
        errors = []
        data = {}
        for column in columns:
            value = _cell_value(column, row.get(column) or "", lookups, errors)
            if value is not None:
                data[column] = value
        existing = None
        slug = data.get("slug")
        if slug:
            existing = own.get(slug)
            if existing is None and slug in taken:
                errors.append(("slug", gettext("Deze dienst kunt u niet bijwerken.")))
            if slug in seen_slugs:
                errors.append(("slug", gettext("Dit kenmerk staat al eerder in het bestand.")))
            seen_slugs.add(slug)
        # Columns left out of the file keep their stored value (or the default when new).
        base = _form_values(existing or Service())
        for column in BOOLEANS & set(columns):
            base.pop(column, None)
        data = {**base, **{k: v for k, v in data.items() if v is not None}}
        if not data.get("status"):
            data["status"] = Service.Status.DRAFT
        before = snapshots_before.get(existing.pk) if existing else None
        form = form_class(data, instance=existing)
        if not form.is_valid():
            found = {column for column, _message in errors}
            for field, messages_ in form.errors.items():
                if field not in found:  # said already, with the valid values
                    errors.extend((field, message) for message in messages_)
        result = ImportRow(number, data.get("name", ""), form, errors, existing, before)
        if existing and not errors:
            result.changed = [titles.get(name, name) for name in form.changed_data]
        checked.append(result)
    return checked


# Writing --------------------------------------------------------------------------------


def _assign_slugs(services):
    """Give new services without a slug a free one, for all of them in a few queries."""
    wanted = [s for s in services if not s.slug]
    if not wanted:
        return
    bases = {s.pk or id(s): slugify(s.name)[:200].strip("-") or "item" for s in wanted}
    given = {s.slug for s in services if s.slug}
    taken = set(Service.objects.filter(slug__in=set(bases.values())).values_list("slug", flat=True))
    clashing = sorted({base for base in bases.values() if base in taken})
    for start in range(0, len(clashing), 200):  # SQLite allows only so many ORs in one query
        query = Q()
        for base in clashing[start : start + 200]:
            query |= Q(slug__startswith=f"{base}-")
        taken.update(Service.objects.filter(query).values_list("slug", flat=True))
    taken |= given
    for service in wanted:
        base = bases[service.pk or id(service)]
        slug, n = base, 2
        while slug in taken:
            suffix = f"-{n}"
            slug = f"{base[: 200 - len(suffix)]}{suffix}"
            n += 1
        service.slug = slug
        taken.add(slug)


def _fill_search_columns(service, relations):
    """What Service.save() and refresh_search_extra() store for search (bulk writes skip
    both); relations: {name: [objects]} as they will be saved."""
    service.search_name = text.normalise(service.name + " " + service.alternate_name)[:200]
    service.search_summary = text.normalise(service.summary)[:200]
    service.search_body = text.normalise(service.essence)
    parts = [service.organisation.name]
    for name in ("target_groups", "support_types", "themes"):
        parts.extend(term.name for term in relations[name])
    service.search_extra = text.normalise(" ".join(parts))


def import_rows(checked, user):
    """Save checked rows, all or nothing, each recorded in history as an import.

    A fixed number of queries for the whole file (about twenty, plus one per 500 rows)."""
    checked = list(checked)
    if not checked:
        return []
    now = timezone.now()
    relations = {
        id(row): {name: list(row.form.cleaned_data.get(name) or []) for name in RELATIONS}
        for row in checked
    }
    services, updated, new, fields = [], [], [], set()
    for row in checked:
        service = row.form.instance
        service.__dict__.pop("_access_stored", None)  # see services.access._stored
        stored = {name: getattr(service, name) for name in SEARCH_FIELDS}
        _fill_search_columns(service, relations[id(row)])
        services.append(service)
        if not row.existing:
            new.append(service)
            continue
        # Only what changed is written: bulk_update's CASE per field and row is what costs.
        changed = {name for name in row.form.changed_data if name not in RELATIONS}
        changed |= {name for name in SEARCH_FIELDS if getattr(service, name) != stored[name]}
        if service.contact_pending != (row.before or {}).get("fields", {}).get("contact_pending"):
            changed.add("contact_pending")
        relations_changed = any(
            {o.pk for o in relations[id(row)][name]}
            != {o.pk for o in getattr(row.existing, name).all()}
            for name in RELATIONS
        )
        if changed or relations_changed:
            service.modified = now
            updated.append(service)
            fields |= changed | {"modified"}
    updated_ids = {service.pk for service in updated}
    with transaction.atomic(), versions.batch():
        versions.bump_services(updated_ids)  # where they were shown before
        _assign_slugs(new)
        Service.objects.bulk_create(new, batch_size=500)
        if updated:
            Service.objects.bulk_update(updated, sorted(fields), batch_size=500)
        for name in RELATIONS:
            through = Service._meta.get_field(name).remote_field.through
            column = f"{RELATIONS[name]._meta.model_name}_id"
            rewrite = []
            for row in checked:
                chosen = {o.pk for o in relations[id(row)][name]}
                stored = (
                    {o.pk for o in getattr(row.existing, name).all()} if row.existing else set()
                )
                if chosen != stored:
                    rewrite.append((row.form.instance.pk, chosen))
            changed_ids = [pk for pk, _chosen in rewrite if pk in updated_ids]
            if changed_ids:
                through.objects.filter(service_id__in=changed_ids).delete()
            through.objects.bulk_create(
                [
                    through(service_id=pk, **{column: term})
                    for pk, chosen in rewrite
                    for term in chosen
                ],
                batch_size=1000,
            )
        written = [*new, *updated]  # rows without changes: nothing written, nothing recorded
        before = {row.existing.pk: row.before for row in checked if row.existing}
        actions.version_record_many(
            services=written, user=user, source=actions.Source.IMPORT, before=before
        )
        versions.bump_services([s.pk for s in written])  # where they are shown now
    return services


# The page -------------------------------------------------------------------------------


def _digest(content):
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:32]


def _summary(checked):
    new = sum(1 for row in checked if not row.existing and not row.errors)
    updated = sum(1 for row in checked if row.existing and row.changed and not row.errors)
    same = sum(1 for row in checked if row.existing and not row.changed and not row.errors)
    failed = sum(1 for row in checked if row.errors)
    return {"new": new, "updated": updated, "same": same, "failed": failed}


def import_view(model_admin, request):
    """One upload, a check that says per row what will happen, and "Importeer".

    The checked file waits in the session (the database), not in this process: the
    "Importeer" request may reach another app server. It is checked again before it is
    written, since the catalogue may have changed in between."""
    download = request.GET.get("download")
    if download == "sjabloon":
        return template_response()
    if download == "waarden":
        return valid_values_response(request.user)
    form = UploadForm()
    checked = file_error = content = delimiter = None
    if request.method == "POST" and "confirm" in request.POST:
        stored = request.session.get(SESSION_KEY) or {}
        if not stored or stored.get("digest") != request.POST.get("confirm"):
            file_error = gettext(
                "Het gecontroleerde bestand is niet meer bewaard (bijvoorbeeld omdat u "
                "opnieuw bent ingelogd). Kies het bestand opnieuw."
            )
        else:
            content = stored["content"]
            rows, columns, delimiter = read_text(content)
            checked = check_rows(rows, columns, request.user)
            if not any(row.errors for row in checked):
                import_rows(checked, request.user)
                request.session.pop(SESSION_KEY, None)
                counts = _summary(checked)
                model_admin.message_user(
                    request,
                    gettext(
                        "Import klaar: %(new)d nieuw, %(updated)d bijgewerkt, %(same)d "
                        "zonder wijzigingen."
                    )
                    % counts,
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:services_service_changelist"))
            file_error = gettext(
                "Sinds de controle is er iets veranderd; er is niets opgeslagen. Bekijk de "
                "fouten hieronder."
            )
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        request.session.pop(SESSION_KEY, None)
        if form.is_valid():
            try:
                content = decode(form.cleaned_data["file"])
                rows, columns, delimiter = read_text(content)
            except ValidationError as error:
                file_error = " ".join(error.messages)
                content = None
            else:
                checked = check_rows(rows, columns, request.user)
    failed = checked is not None and any(row.errors for row in checked)
    digest = None
    if checked is not None and not failed and content is not None:
        digest = _digest(content)
        request.session[SESSION_KEY] = {"content": content, "digest": digest}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": gettext("Diensten importeren uit CSV"),
        "form": form,
        "rows": checked,
        "summary": _summary(checked) if checked is not None else None,
        "file_error": file_error,
        "failed": failed,
        "digest": digest,
        "delimiter": {";": _("puntkomma"), ",": _("komma"), "\t": _("tab")}.get(delimiter),
        "columns": valid_values(request.user),
        "max_listed": MAX_LISTED,
    }
    return TemplateResponse(request, "admin/services/service/import.html", context)
