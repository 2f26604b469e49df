"""A service with its many-to-many values, locations and hours as one JSON document.

History (ServiceVersion), proposed changes (ProposedChange) and restoring an earlier version
all work on these snapshots: `snapshot()` reads one, `diff()` compares two field by field for
people, `apply_snapshot()` validates one and writes it back.
"""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .models import (
    ActivitySession,
    Language,
    Location,
    Municipality,
    OpeningPeriod,
    Organisation,
    Service,
    SupportType,
    TargetGroup,
    Theme,
)
from .numbers import format_number, parse_decimal

NOT_RECORDED = {
    "id",
    "uuid",
    "created",
    "modified",
    "search_name",
    "search_summary",
    "search_body",
    "search_extra",
    "search_vector",
}
# Recorded in history, but never written back by a proposal or a restore: publishing and
# verifying are separate acts of a curator.
META_FIELDS = ("status", "verified_at", "verified_by")
M2M = {
    "support_types": SupportType,
    "target_groups": TargetGroup,
    "themes": Theme,
    "municipalities": Municipality,
    "languages": Language,
}
LOCATION_FIELDS = (
    "name",
    "address",
    "postcode",
    "place",
    "municipality",
    "latitude",
    "longitude",
    "wheelchair_accessible",
    "accessibility",
    "hours_note",
)
LOCATIONS = "locations"
SESSION_FIELDS = (
    "kind",
    "weekday",
    "start_date",
    "end_date",
    "starts_at",
    "ends_at",
    "location",
    "signup_deadline",
    "places",
    "note",
)
# When the activity takes place. Snapshots from before sessions were recorded lack the key:
# then sessions count as unknown (never as "all removed") and are left as they are.
SESSIONS = "sessions"


def _json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def recorded_fields():
    return [field for field in Service._meta.concrete_fields if field.name not in NOT_RECORDED]


def content_keys():
    """Everything a proposal or a restore may write: fields, many-to-many values, locations
    and sessions."""
    fields = [f.name for f in recorded_fields() if f.name not in META_FIELDS]
    return {*fields, *M2M, LOCATIONS, SESSIONS}


def _fields_of(instance, names):
    return {
        name: _json(instance._meta.get_field(name).value_from_object(instance)) for name in names
    }


def location_fields(location):
    """A location's recorded fields (no id, no hours), as in a snapshot."""
    return _fields_of(location, LOCATION_FIELDS)


def location_data(location, hours):
    """One location as stored in a snapshot; hours as [weekday, "HH:MM:SS", "HH:MM:SS"]."""
    data = {"id": location.pk, **_fields_of(location, LOCATION_FIELDS)}
    data["hours"] = sorted(_json([p.weekday, p.opens, p.closes]) for p in hours)
    return data


def session_data(session):
    """One session as stored in a snapshot: its id and fields (location as an id)."""
    return {"id": session.pk, **_fields_of(session, SESSION_FIELDS)}


def _session_order(item):
    return (item["id"] is None, item["id"] or 0, item.get("starts_at") or "")


def snapshot(service):
    """The service as stored now (fields from the instance, relations from the database)."""
    locations = Location.objects.filter(service=service).prefetch_related("opening_periods")
    return {
        "fields": _fields_of(service, [f.name for f in recorded_fields()]),
        "m2m": {name: sorted(getattr(service, name).values_list("pk", flat=True)) for name in M2M},
        LOCATIONS: sorted(
            (location_data(loc, loc.opening_periods.all()) for loc in locations),
            key=lambda item: (item["id"] is None, item["id"] or 0, item["name"]),
        ),
        SESSIONS: sorted(
            (session_data(s) for s in ActivitySession.objects.filter(service=service)),
            key=_session_order,
        ),
    }


def snapshot_many(services):
    """snapshot() of many services in a fixed number of queries: {pk: snapshot}."""
    services = [service for service in services if service.pk]
    if not services:
        return {}
    ids = [service.pk for service in services]
    m2m = {pk: {name: [] for name in M2M} for pk in ids}
    for name in M2M:
        through = Service._meta.get_field(name).remote_field.through
        column = f"{M2M[name]._meta.model_name}_id"
        rows = through.objects.filter(service_id__in=ids).values_list("service_id", column)
        for service_id, pk in rows:
            m2m[service_id][name].append(pk)
    locations = {pk: [] for pk in ids}
    for location in Location.objects.filter(service_id__in=ids).prefetch_related("opening_periods"):
        locations[location.service_id].append(
            location_data(location, location.opening_periods.all())
        )
    sessions = {pk: [] for pk in ids}
    for session in ActivitySession.objects.filter(service_id__in=ids):
        sessions[session.service_id].append(session_data(session))
    return {
        service.pk: {
            "fields": _fields_of(service, [f.name for f in recorded_fields()]),
            "m2m": {name: sorted(values) for name, values in m2m[service.pk].items()},
            LOCATIONS: sorted(
                locations[service.pk],
                key=lambda item: (item["id"] is None, item["id"] or 0, item["name"]),
            ),
            SESSIONS: sorted(sessions[service.pk], key=_session_order),
        }
        for service in services
    }


ORGANISATION_FIELDS = ("name", "description", "website", "email", "phone", "domain")


def organisation_snapshot(organisation):
    """An organisation's public fields and its partners, for its history."""
    if organisation is None or organisation.pk is None:
        return None
    return {
        "fields": _fields_of(organisation, ORGANISATION_FIELDS),
        "users": sorted(organisation.users.values_list("pk", flat=True)),
    }


def organisation_diff(old, new):
    """[{field, label, old, new}] for the fields that differ."""
    rows = []
    for name in ORGANISATION_FIELDS:
        before = (old or {}).get("fields", {}).get(name)
        after = new["fields"].get(name)
        if before != after:
            label = str(Organisation._meta.get_field(name).verbose_name)
            rows.append({"field": name, "label": label, "old": before or "—", "new": after or "—"})
    if (old or {}).get("users") != new.get("users"):
        rows.append(
            {
                "field": "users",
                "label": str(Organisation._meta.get_field("users").verbose_name),
                "old": len((old or {}).get("users", [])),
                "new": len(new.get("users", [])),
            }
        )
    return rows


def apply_fields(service, data):
    """Put a snapshot's field values on the instance in memory (nothing is saved)."""
    for field in recorded_fields():
        if field.name in data.get("fields", {}) and field.name not in META_FIELDS:
            setattr(service, field.attname, field.to_python(data["fields"][field.name]))
    return service


def merge(target, source, keys):
    """`target` with the top-level `keys` (fields, relations, "locations", "sessions")
    from `source`."""
    merged = {
        "fields": dict(target["fields"]),
        "m2m": dict(target["m2m"]),
        LOCATIONS: target.get(LOCATIONS, []),
    }
    if SESSIONS in target:
        merged[SESSIONS] = target[SESSIONS]
    for key in keys:
        if key in source["fields"] or key in merged["fields"]:
            merged["fields"][key] = source["fields"].get(key)
        elif key in M2M:
            merged["m2m"][key] = source["m2m"].get(key, [])
        elif key == LOCATIONS:
            merged[LOCATIONS] = source.get(LOCATIONS, [])
        elif key == SESSIONS and SESSIONS in source:
            merged[SESSIONS] = source[SESSIONS]
    return merged


def snapshot_from_admin(service, form, formsets, base):
    """What an admin form and its location and session inlines propose, without saving."""
    data = {
        "fields": {**base["fields"], **_fields_of(service, [f.name for f in recorded_fields()])},
        "m2m": dict(base["m2m"]),
        LOCATIONS: [dict(item) for item in base[LOCATIONS]],
        SESSIONS: [dict(item) for item in base.get(SESSIONS, [])],
    }
    for name in M2M:
        if name in form.cleaned_data:
            data["m2m"][name] = sorted(obj.pk for obj in form.cleaned_data[name])
    for formset in formsets:
        if formset.model is ActivitySession:
            data[SESSIONS] = sessions_from_formset(data[SESSIONS], formset)
            continue
        if formset.model is not Location:
            continue
        by_id = {item["id"]: item for item in data[LOCATIONS]}
        for location_form in formset.forms:
            if not location_form.has_changed() and location_form.instance.pk is None:
                continue
            instance = location_form.instance
            deleted = formset.can_delete and formset._should_delete_form(location_form)
            if instance.pk in by_id:
                if deleted:
                    data[LOCATIONS].remove(by_id[instance.pk])
                else:
                    by_id[instance.pk].update(_fields_of(instance, LOCATION_FIELDS))
            elif not deleted:
                data[LOCATIONS].append({"id": None, **_fields_of(instance, LOCATION_FIELDS)})
                data[LOCATIONS][-1]["hours"] = []
    return data


def sessions_from_formset(sessions, formset):
    """`sessions` (snapshot items) with what a valid ActivitySession formset changes."""
    sessions = [dict(item) for item in sessions]
    by_id = {item["id"]: item for item in sessions}
    for form in formset.forms:
        instance = form.instance
        deleted = formset.can_delete and formset._should_delete_form(form)
        if instance.pk in by_id:
            if deleted:
                sessions.remove(by_id[instance.pk])
            elif form.has_changed():
                by_id[instance.pk].update(_fields_of(instance, SESSION_FIELDS))
        elif form.has_changed() and not deleted:
            sessions.append({"id": None, **_fields_of(instance, SESSION_FIELDS)})
    return sessions


def snapshot_with_location(base, location, period_formset):
    """`base` with one location replaced by what its admin form and hours inline propose."""
    hours = [
        form.instance
        for form in period_formset.forms
        if form.has_changed() or form.instance.pk
        if not (period_formset.can_delete and period_formset._should_delete_form(form))
    ]
    item = location_data(location, hours)
    data = {
        **base,
        LOCATIONS: [i for i in base[LOCATIONS] if i["id"] != location.pk or not location.pk],
    }
    data[LOCATIONS].append(item)
    return data


def changed_keys(old, new):
    """Top-level keys (field names, relation names, "locations") that differ."""
    keys = {
        name
        for name in set(old["fields"]) | set(new["fields"])
        if old["fields"].get(name) != new["fields"].get(name)
    }
    keys |= {name for name in M2M if old["m2m"].get(name, []) != new["m2m"].get(name, [])}
    if _comparable_locations(old) != _comparable_locations(new):
        keys.add(LOCATIONS)
    if (
        SESSIONS in old
        and SESSIONS in new
        and _comparable(old[SESSIONS]) != _comparable(new[SESSIONS])
    ):
        keys.add(SESSIONS)
    return keys


def _comparable(items):
    return sorted(json.dumps(item, sort_keys=True) for item in items)


def _comparable_locations(data):
    return sorted(json.dumps(item, sort_keys=True) for item in data.get(LOCATIONS, []))


# Display --------------------------------------------------------------------------------


class Names:
    """Names for the ids in some snapshots, one query per model (share one for many diffs)."""

    def __init__(self, *snapshots):
        snaps = [s for s in snapshots if s]
        self.names = {}
        wanted = {model: set() for model in {*M2M.values(), Organisation}}
        users = set()
        for snap in snaps:
            for name, model in M2M.items():
                wanted[model].update(snap["m2m"].get(name, []))
            wanted[Organisation].add(snap["fields"].get("organisation"))
            users.add(snap["fields"].get("verified_by"))
            for item in snap.get(LOCATIONS, []):
                wanted[Municipality].add(item.get("municipality"))
        for model, ids in wanted.items():
            ids.discard(None)
            self.names[model] = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
        users.discard(None)
        self.names["user"] = dict(
            get_user_model().objects.filter(pk__in=users).values_list("pk", "username")
        )

    def get(self, model, pk):
        return self.names[model].get(pk, f"#{pk}")

    def text(self, label):
        """str() of a lazy label (a field's, a choice's: they live as long as the models),
        translated once for all the snapshots of a bulk diff."""
        if not isinstance(label, Promise):
            return str(label)
        texts = self.__dict__.setdefault("_texts", {})
        if id(label) not in texts:
            texts[id(label)] = (label, str(label))  # holding it keeps its id unique
        return texts[id(label)][1]


def _text(field, value, names):
    if value is None or value == "":
        return "—"
    if field.choices:
        return names.text(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if field.get_internal_type() == "DecimalField":
        try:
            return format_number(parse_decimal(value), field.decimal_places)
        except ValueError:
            return str(value)
    if field.name == "organisation":
        return names.get(Organisation, value)
    if field.name == "verified_by":
        return names.names["user"].get(value, f"#{value}")
    if field.name == "municipality":
        return names.get(Municipality, value)
    return str(value)


def _location_text(item, names):
    parts = [item["name"]]
    address = " ".join(
        p for p in (item.get("address"), item.get("postcode"), item.get("place")) if p
    )
    if address:
        parts.append(address)
    if item.get("municipality"):
        parts.append(names.get(Municipality, item["municipality"]))
    if item.get("wheelchair_accessible"):
        parts.append(_("rolstoeltoegankelijk"))
    for extra in ("accessibility", "hours_note"):
        if item.get(extra):
            parts.append(item[extra])
    days = dict(OpeningPeriod.Weekday.choices)
    for weekday, opens, closes in item.get("hours", []):
        parts.append(f"{days.get(weekday, weekday)} {opens[:5]}–{closes[:5]}")
    return "; ".join(str(p) for p in parts)


def _session_text(item, location_names):
    session = ActivitySession(
        **{
            ActivitySession._meta.get_field(name).attname: ActivitySession._meta.get_field(
                name
            ).to_python(item.get(name))
            for name in SESSION_FIELDS
            if name != "location"
        }
    )
    try:
        text = session.in_words()
    except (TypeError, ValueError):  # an incomplete session, as typed
        text = str(session.get_kind_display() or "—")
    if item.get("location"):
        text += " – " + location_names.get(item["location"], f"#{item['location']}")
    if item.get("places"):
        text += " – " + _("%(count)s plaatsen") % {"count": item["places"]}
    if item.get("signup_deadline"):
        deadline = ActivitySession._meta.get_field("signup_deadline").to_python(
            item["signup_deadline"]
        )
        text += " – " + _("aanmelden vóór %(date)s") % {
            "date": formats.date_format(deadline, "j F Y")
        }
    if item.get("note"):
        text += f" ({item['note']})"
    return text


def _location_names(*snaps):
    names = {}
    for snap in snaps:
        for item in (snap or {}).get(LOCATIONS, []):
            if item.get("id"):
                names[item["id"]] = item.get("name") or f"#{item['id']}"
    return names


def _display(data, names, *, sessions=True, location_names=None):
    shown = {}
    for field in recorded_fields():
        if field.name in data["fields"]:
            label = names.text(field.verbose_name)
            shown[field.name] = (label, _text(field, data["fields"][field.name], names))
    for name, model in M2M.items():
        label = names.text(Service._meta.get_field(name).verbose_name)
        values = sorted(names.get(model, pk) for pk in data["m2m"].get(name, []))
        shown[name] = (label, ", ".join(values) or "—")
    for index, item in enumerate(data.get(LOCATIONS, [])):
        key = f"location:{item['id']}" if item["id"] else f"location:new:{index}"
        shown[key] = (_("Locatie"), _location_text(item, names))
    if sessions and SESSIONS in data:
        for index, item in enumerate(data[SESSIONS]):
            key = f"session:{item['id']}" if item["id"] else f"session:new:{index}"
            shown[key] = (_("Wanneer"), _session_text(item, location_names or {}))
    return shown


def diff(old, new, names=None):
    """Field-by-field differences for people: [{field, label, old, new}], in form order.

    `names`: a Names() made once for many snapshots, when diffing many (bulk writes)."""
    names = names or Names(old, new)
    places = _location_names(old, new)
    # History from before sessions were recorded: no rows for sessions "added".
    sessions = old is None or SESSIONS in old
    before = _display(old, names, location_names=places) if old else {}
    after = _display(new, names, sessions=sessions, location_names=places)
    rows = []
    for key in [*after, *(k for k in before if k not in after)]:
        old_label, old_text = before.get(key, (None, "—"))
        new_label, new_text = after.get(key, (None, "—"))
        if old_text != new_text:
            rows.append(
                {"field": key, "label": new_label or old_label, "old": old_text, "new": new_text}
            )
    return rows


# Writing back ---------------------------------------------------------------------------


def apply_snapshot(service, data, *, keys=None):
    """Validate `data` (only `keys`, default all content) and write it to the service.

    Raises ValidationError and writes nothing when anything is invalid.
    """
    keys = content_keys() & (set(keys) if keys is not None else content_keys())
    for field in recorded_fields():
        if field.name in keys and field.name in data["fields"]:
            setattr(service, field.attname, field.to_python(data["fields"][field.name]))
    m2m = {
        name: list(model.objects.filter(pk__in=data["m2m"].get(name, [])))
        if name in keys
        else list(getattr(service, name).all())
        for name, model in M2M.items()
    }
    service.full_clean()
    service.clean_relations(
        municipalities=m2m["municipalities"], target_groups=m2m["target_groups"]
    )
    locations = _checked_locations(service, data) if LOCATIONS in keys else None
    sessions = _checked_sessions(service, data) if SESSIONS in keys and SESSIONS in data else None
    with transaction.atomic():
        service.save()
        for name in M2M:
            if name in keys:
                getattr(service, name).set(m2m[name])
        if locations is not None:
            _write_locations(service, locations)
        if sessions is not None:
            _write_sessions(service, sessions)
        service.refresh_search_extra()
    return service


def _checked_sessions(service, data):
    existing = {s.pk: s for s in ActivitySession.objects.filter(service=service)}
    checked, errors = [], []
    for item in data[SESSIONS]:
        session = existing.get(item["id"]) or ActivitySession(service=service)
        for name in SESSION_FIELDS:
            field = ActivitySession._meta.get_field(name)
            value = item.get(name)
            setattr(
                session,
                field.attname,
                field.to_python(value)
                if value is not None
                else (None if field.null else field.get_default()),
            )
        try:
            session.full_clean(exclude=["service", "location"])
        except ValidationError as error:
            errors.extend(error.messages)
        checked.append(session)
    if errors:
        raise ValidationError({SESSIONS: errors})
    return checked, existing


def _write_sessions(service, checked_and_existing):
    checked, existing = checked_and_existing
    places = set(Location.objects.filter(service=service).values_list("pk", flat=True))
    kept = set()
    for session in checked:
        session.service = service
        if session.location_id not in places:
            session.location_id = None  # a place this service no longer has
        session.save()
        kept.add(session.pk)
    for pk, session in existing.items():
        if pk not in kept:
            session.delete()


def _checked_locations(service, data):
    existing = {loc.pk: loc for loc in Location.objects.filter(service=service)}
    checked = []
    errors = []
    for item in data[LOCATIONS]:
        location = existing.get(item["id"]) or Location(service=service)
        for name in LOCATION_FIELDS:
            field = Location._meta.get_field(name)
            setattr(
                location,
                field.attname,
                field.to_python(item.get(name))
                if item.get(name) is not None
                else (None if field.null else field.get_default()),
            )
        periods = []
        try:
            location.full_clean(exclude=["service"])
            for weekday, opens, closes in item.get("hours", []):
                period = OpeningPeriod(weekday=weekday, opens=opens, closes=closes)
                period.full_clean(exclude=["location"])
                periods.append(period)
        except ValidationError as error:
            errors.extend(error.messages)
        checked.append((location, periods))
    if errors:
        raise ValidationError({"locations": errors})
    return checked, existing


def _write_locations(service, checked_and_existing):
    checked, existing = checked_and_existing
    kept = set()
    for location, periods in checked:
        location.service = service
        location.save()
        kept.add(location.pk)
        location.opening_periods.all().delete()
        for period in periods:
            period.location = location
            period.save()
    for pk, location in existing.items():
        if pk not in kept:
            location.delete()
