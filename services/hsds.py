"""Open Referral HSDS 3.0 (and its UK profile, ORUK 3.0) documents of our data.

One mapping, used by the read API (services.api), `export_hsds` and `import_hsds`:
- every object has a UUID: services, organisations, locations and taxonomy terms carry
  their own stored one; child objects without a row of their own (phones, addresses,
  schedules, attributes, ...) get a UUID derived from their parent's and what they hold,
  so ids are stable, unique across deployments and survive an export/import round trip;
- optional fields without a value are left out, never `null` or `""` (ORUK compliance);
- our taxonomies (support type, target group, theme) and the service's characteristics
  (format, frequency, provided by, costs, settings, conditions) are HSDS taxonomies with
  terms, linked through `attributes` with a `link_type`;
- times carry the UTC offset of Europe/Amsterdam, phones are E.164 where they can be.
"""

import datetime
import functools
import uuid
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import phonenumbers
from django.conf import settings
from django.db.models import Max, Prefetch
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from . import criteria
from .models import (
    ActivitySession,
    Location,
    OpeningPeriod,
    Organisation,
    Service,
    SupportType,
    TargetGroup,
    Theme,
)

VERSION = "3.0"
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# Ids of things that are the same in every deployment of this software (the taxonomies
# themselves and the fixed characteristic terms), so aggregators can match them.
VOCABULARY = uuid.UUID("6f1c2a0e-5a6b-4cfb-9d1e-3a9d8b1f4c21")
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
STATUS = {
    Service.Status.PUBLISHED: "active",
    Service.Status.TEMPORARILY_CLOSED: "temporarily closed",
    Service.Status.ARCHIVED: "defunct",
    Service.Status.DRAFT: "inactive",
    Service.Status.IN_REVIEW: "inactive",
}
REFERRAL_TEXT = "Verwijzing of indicatie nodig."
LOW_INCOME_TEXT = "Alleen bij een laag inkomen."
WHEELCHAIR_TEXT = "Toegankelijk met een rolstoel."
NL_ONLY_TEXT = "Alleen te bellen vanuit Nederland."


def derived_id(parent, key):
    """A UUID for a child object without a row of its own: stable, unique per parent."""
    return str(uuid.uuid5(uuid.UUID(str(parent)), key))


def vocabulary_id(key):
    return str(uuid.uuid5(VOCABULARY, key))


def uid(obj):
    """The stored UUID of a service, organisation, location or taxonomy term."""
    return str(obj.uuid)


# --- taxonomies -----------------------------------------------------------------------


@dataclass(frozen=True)
class TaxonomyDef:
    key: str
    name: str
    description: str
    link_type: str
    model: type | None = None  # None: terms are fixed in code (characteristics)
    relation: str = ""

    @property
    def id(self):
        return vocabulary_id(f"taxonomy:{self.key}")


TAXONOMIES = [
    TaxonomyDef(
        "support_type",
        "Soort steun",
        "De zeven manieren van steun tegen eenzaamheid (Movisie).",
        "service_type",
        SupportType,
        "support_types",
    ),
    TaxonomyDef(
        "target_group",
        "Doelgroep",
        "Voor welke groep mensen de dienst bedoeld is.",
        "audience",
        TargetGroup,
        "target_groups",
    ),
    TaxonomyDef(
        "theme",
        "Thema",
        "Soorten eenzaamheid en problemen die erbij horen.",
        "topic",
        Theme,
        "themes",
    ),
    TaxonomyDef(
        "characteristic",
        "Kenmerken",
        "Hoe de dienst werkt: alleen of samen, hoe vaak, door wie, waar, kosten en voorwaarden.",
        "characteristic",
    ),
]
TAXONOMY_BY_KEY = {t.key: t for t in TAXONOMIES}


@dataclass(frozen=True)
class Characteristic:
    """One fixed term of the characteristics taxonomy. It means what the catalogue's filter
    means (`criterion`, from services.criteria); `values`: the field values it covers, or
    None for a yes/no field that must be true."""

    code: str
    name: str
    field: str
    values: tuple | None
    criterion: object

    def applies_to(self, service):
        value = getattr(service, self.field)
        return bool(value) if self.values is None else value in self.values

    def q(self):
        return self.criterion()


def _characteristics():
    terms = []

    def add(field, value, name, values, criterion):
        terms.append(Characteristic(f"{field}:{value}", name, field, values, criterion))

    # Alone or together, and who helps: "both" counts for either, as in the catalogue.
    for field, mapping, q in (
        ("format", criteria.FORMAT, criteria.format_q),
        ("provided_by", criteria.PROVIDED_BY, criteria.provided_by_q),
    ):
        label = Service._meta.get_field(field).verbose_name
        choices = dict(Service._meta.get_field(field).choices)
        for value, allowed in mapping.items():
            add(field, value, f"{label}: {choices[value]}", tuple(allowed), partial(q, [value]))
    for field, q in (
        ("frequency", criteria.frequency_q),
        ("cost", criteria.cost_q),
        ("cost_unit", criteria.choice_q("cost_unit")),
    ):
        label = Service._meta.get_field(field).verbose_name
        for value, name in Service._meta.get_field(field).choices:
            add(field, value, f"{label}: {name}", (value,), partial(q, [value]))
    for field in FLAGS:
        name = str(Service._meta.get_field(field).verbose_name)
        if field in criteria.SETTINGS:
            q = partial(criteria.settings_q, [field])
        elif field == "referral_required":
            q = lambda: ~criteria.no_referral_q()  # noqa: E731
        else:
            q = partial(criteria.choice_q(field), [True])
        terms.append(Characteristic(f"flag:{field}", name, field, None, q))
    return terms


FLAGS = [*criteria.SETTINGS, "referral_required", "low_income_only"]
CHARACTERISTICS = _characteristics()
CHARACTERISTIC_BY_CODE = {c.code: c for c in CHARACTERISTICS}


@functools.lru_cache(maxsize=256)
def characteristic_object(characteristic):
    name = str(characteristic.name)
    return term_object(
        TAXONOMY_BY_KEY["characteristic"], characteristic.code, name[:1].upper() + name[1:]
    )


def taxonomy_object(taxonomy):
    return {
        "id": taxonomy.id,
        "name": taxonomy.name,
        "description": taxonomy.description,
        "version": VERSION,
    }


def term_object(taxonomy, code, name, description="", term_id=None):
    return {
        "id": term_id or vocabulary_id(f"term:{taxonomy.key}:{code}"),
        "code": code,
        "name": str(name),
        "description": str(description or name),
        "taxonomy": taxonomy.name,
        "taxonomy_id": taxonomy.id,
        "language": "nl",
    }


def stored_term_object(taxonomy, term):
    return term_object(taxonomy, term.slug, term.name, term.description, term_id=uid(term))


def term_objects(taxonomy_id=None):
    """Every term object of every taxonomy (or of the one with taxonomy_id)."""
    found = []
    for taxonomy in TAXONOMIES:
        if taxonomy_id is not None and taxonomy.id != taxonomy_id:
            continue
        if taxonomy.model is None:
            found.extend(characteristic_object(c) for c in CHARACTERISTICS)
        else:
            found.extend(stored_term_object(taxonomy, t) for t in taxonomy.model.objects.all())
    return found


def service_terms(service):
    """[(taxonomy, term object)] for every classification of the service."""
    found = []
    for taxonomy in TAXONOMIES:
        if taxonomy.model is not None:
            # By code, not by position: the order must not depend on one deployment's lists.
            for term in sorted(getattr(service, taxonomy.relation).all(), key=lambda t: t.slug):
                found.append((taxonomy, stored_term_object(taxonomy, term)))
    characteristic = TAXONOMY_BY_KEY["characteristic"]
    for term in CHARACTERISTICS:
        if term.applies_to(service):
            found.append((characteristic, characteristic_object(term)))
    return found


def attributes(service):
    service_id = uid(service)
    return [
        {
            "id": derived_id(service_id, f"attribute:{term['id']}"),
            "link_id": service_id,
            "link_type": taxonomy.link_type,
            "link_entity": "service",
            "taxonomy_term_id": term["id"],
            "taxonomy_term": term,
        }
        for taxonomy, term in service_terms(service)
    ]


# --- small parts ----------------------------------------------------------------------


def compact(data):
    """data without keys whose value is None, "" or an empty list (ORUK: leave them out)."""
    return {k: v for k, v in data.items() if v not in (None, "", [])}


@functools.lru_cache(maxsize=4096)
def phone_number(value):
    """(number, note): E.164 when the number can be dialled from abroad, else as written."""
    try:
        parsed = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        return value, NL_ONLY_TEXT
    if not (
        phonenumbers.is_possible_number(parsed)
        and phonenumbers.can_be_internationally_dialled(parsed)
    ):
        return value, NL_ONLY_TEXT
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), ""


def phone_object(owner_id, value, key="phone"):
    number, note = phone_number(value)
    return compact(
        {"id": derived_id(owner_id, key), "number": number, "type": "voice", "description": note}
    )


def time_with_offset(value, weekday, now=None):
    """HH:MM plus the Europe/Amsterdam UTC offset on the next such weekday (summer or winter)."""
    today = timezone.localtime(now or timezone.now(), AMSTERDAM).date()
    day = today + datetime.timedelta(days=(weekday - today.isoweekday()) % 7)
    moment = datetime.datetime.combine(day, value, tzinfo=AMSTERDAM)
    offset = moment.utcoffset()
    hours, minutes = divmod(int(offset.total_seconds()) // 60, 60)
    return (
        f"{value:%H:%M}{'+' if offset >= datetime.timedelta(0) else '-'}{hours:02d}:{minutes:02d}"
    )


def offset_hours(weekday, now=None):
    opens = time_with_offset(datetime.time(12), weekday, now)
    return int(opens[-6:-3])


def timestamp(value):
    """A date-time in UTC with millisecond accuracy, as HSDS asks for last_modified."""
    return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- objects --------------------------------------------------------------------------


def organization_object(organisation, *, nested=True):
    org_id = uid(organisation)
    data = {
        "id": org_id,
        "name": organisation.name,
        "description": organisation.description,  # required by HSDS: may be empty
        "email": organisation.email,
        "website": organisation.website,
    }
    if nested and organisation.phone:
        data["phones"] = [phone_object(org_id, organisation.phone)]
    return {**compact(data), "description": organisation.description}


def schedule_object(location_id, period, note, now=None):
    key = f"schedule:{period.weekday}:{period.opens:%H:%M}:{period.closes:%H:%M}"
    return compact(
        {
            "id": derived_id(location_id, key),
            "location_id": location_id,
            "freq": "WEEKLY",
            "byday": WEEKDAYS[period.weekday - 1],
            "opens_at": time_with_offset(period.opens, period.weekday, now),
            "closes_at": time_with_offset(period.closes, period.weekday, now),
            "timezone": offset_hours(period.weekday, now),
            "notes": note,
        }
    )


def _clock_at(value, day):
    """HH:MM with the Amsterdam UTC offset of that date (summer or winter time)."""
    offset = datetime.datetime.combine(day, value, tzinfo=AMSTERDAM).utcoffset()
    hours, minutes = divmod(int(offset.total_seconds()) // 60, 60)
    return (
        f"{value:%H:%M}{'+' if offset >= datetime.timedelta(0) else '-'}{hours:02d}:{minutes:02d}"
    )


def session_day(session, now=None):
    """The date whose UTC offset a session's times carry: its own date for a one-off event,
    else the next such weekday (the same rule as opening hours)."""
    if session.kind == ActivitySession.Kind.ONCE and session.start_date:
        return session.start_date
    today = timezone.localtime(now or timezone.now(), AMSTERDAM).date()
    weekday = session.weekday or today.isoweekday()
    return today + datetime.timedelta(days=(weekday - today.isoweekday()) % 7)


def session_schedule(service_id, session, now=None):
    """An ActivitySession as an HSDS 3 schedule of the service (iCalendar-like rule).

    Weekly: freq WEEKLY, interval 1; every other week: interval 2 from dtstart; a course:
    weekly from dtstart until its last date; a one-off event: count 1 on its date. The
    description says it in Dutch ("Elke donderdag, 10.00–12.00 uur")."""
    Kind = ActivitySession.Kind  # noqa: N806
    day = session_day(session, now)
    weekday = session.weekday or day.isoweekday()
    key = ":".join(
        str(part)
        for part in (
            "session",
            session.kind,
            weekday,
            session.start_date,
            session.end_date,
            f"{session.starts_at:%H:%M}",
            f"{session.ends_at:%H:%M}",
        )
    )
    with translation.override("nl"):
        description = session.in_words()
        if session.signup_deadline:
            description += ". " + _("Aanmelden vóór %(date)s") % {
                "date": formats.date_format(session.signup_deadline, "j F Y")
            }
        if session.places:
            description += ". " + _("%(places)s plaatsen") % {"places": session.places}
    once = session.kind == Kind.ONCE
    return compact(
        {
            "id": derived_id(service_id, key),
            "service_id": service_id,
            "freq": "WEEKLY",
            "interval": 2 if session.kind == Kind.FORTNIGHTLY else 1,
            "byday": WEEKDAYS[weekday - 1],
            "dtstart": session.start_date.isoformat() if session.start_date else None,
            "until": session.end_date.isoformat() if session.end_date and not once else None,
            "count": 1 if once else None,
            "valid_from": session.start_date.isoformat() if session.start_date else None,
            "valid_to": (session.start_date if once else session.end_date).isoformat()
            if (session.start_date if once else session.end_date)
            else None,
            "opens_at": _clock_at(session.starts_at, day),
            "closes_at": _clock_at(session.ends_at, day),
            "description": description,
            "notes": session.note,
        }
    )


def location_object(location, now=None):
    location_id = uid(location)
    data = {
        "id": location_id,
        "location_type": "physical",
        "name": location.name,
        "latitude": float(location.latitude) if location.latitude is not None else None,
        "longitude": float(location.longitude) if location.longitude is not None else None,
    }
    if location.address or location.postcode or location.place:
        data["addresses"] = [
            {
                "id": derived_id(location_id, "address"),
                "location_id": location_id,
                "address_1": location.address,
                "city": location.place,
                # Required by HSDS; a Dutch address does not name its province.
                "state_province": "",
                "postal_code": location.postcode,
                "country": "NL",
                "address_type": "physical",
                **compact({"region": location.municipality.name if location.municipality else ""}),
            }
        ]
    access = []
    if location.accessibility.strip():
        access.append(("accessibility", location.accessibility.strip()))
    if location.wheelchair_accessible:
        access.append(("accessibility:wheelchair", WHEELCHAIR_TEXT))
    data["accessibility"] = [
        {"id": derived_id(location_id, key), "location_id": location_id, "description": text}
        for key, text in access
    ]
    data["schedules"] = [
        schedule_object(location_id, period, location.hours_note, now)
        for period in location.opening_periods.all()
    ]
    return compact(data)


def service_at_location_object(service, location, now=None):
    service_id = uid(service)
    return {
        "id": derived_id(service_id, f"service_at_location:{uid(location)}"),
        "service_id": service_id,
        "location_id": uid(location),
        "location": location_object(location, now),
    }


def service_area_objects(service):
    service_id = uid(service)
    if service.scope == Service.Scope.NATIONAL:
        return [
            {
                "id": derived_id(service_id, "area:NL"),
                "service_id": service_id,
                "name": "Nederland",
                "description": "Landelijk aanbod: overal in Nederland te krijgen.",
            }
        ]
    areas = []
    for municipality in service.municipalities.all():
        code = municipality.cbs_code
        areas.append(
            compact(
                {
                    "id": derived_id(service_id, f"area:{code or municipality.name}"),
                    "service_id": service_id,
                    "name": municipality.name,
                    "description": f"Gemeente {municipality.name}"
                    + (f" (CBS-code {code})" if code else ""),
                    # TOOI: the government's persistent identifiers for municipalities.
                    "uri": f"https://identifier.overheid.nl/tooi/id/gemeente/{code.lower()}"
                    if code
                    else "",
                }
            )
        )
    return areas


def eligibility(service):
    parts = []
    if service.referral_required:
        parts.append(REFERRAL_TEXT)
    if service.low_income_only:
        parts.append(LOW_INCOME_TEXT)
    if service.conditions:
        parts.append(service.conditions)
    return " ".join(parts)


def cost_options(service):
    if service.cost == Service.Cost.UNKNOWN:
        return []
    amount = float(service.cost_amount) if service.cost_amount is not None else None
    return [
        compact(
            {
                "id": derived_id(uid(service), "cost"),
                "service_id": uid(service),
                "option": service.get_cost_display(),
                "amount": amount,
                "currency": "EUR" if amount is not None else "",
                "amount_description": service.get_cost_unit_display() if service.cost_unit else "",
            }
        )
    ]


def last_modified(service):
    """When anything in the service's document last changed: `modified` is moved by
    services.signals when its locations, hours, taxonomies or organisation change."""
    return service.modified


def service_fields(service):
    """The service's own (direct) properties, as in a list page's `contents`."""
    return compact(
        {
            "id": uid(service),
            "organization_id": uid(service.organisation),
            "name": service.name,
            "alternate_name": service.alternate_name,
            "description": service.essence,
            "url": service.url,
            "email": service.email,
            "status": STATUS[service.status],
            "application_process": service.how_to_apply,
            "fees_description": service.cost_text or service.get_cost_display(),
            "wait_time": service.wait_time,
            "eligibility_description": eligibility(service),
            "minimum_age": service.min_age,
            "maximum_age": service.max_age,
            "assured_date": timezone.localtime(service.verified_at, AMSTERDAM).date().isoformat()
            if service.verified_at
            else None,
            # A team address, never the personal e-mail of the curator who checked it.
            "assurer_email": (settings.HSDS_ASSURER_EMAIL or None) if service.verified_at else None,
            "alert": service.alert,
            "last_modified": timestamp(last_modified(service)),
        }
    )


def service_object(service, now=None):
    """The fully nested HSDS 3 `service` object for one service."""
    service_id = uid(service)
    data = {
        **service_fields(service),
        "organization": organization_object(service.organisation),
        "phones": [phone_object(service_id, service.phone)] if service.phone else [],
        "languages": [
            {
                "id": derived_id(service_id, f"language:{language.code}"),
                "service_id": service_id,
                "name": language.name,
                "code": language.code,
            }
            for language in sorted(service.languages.all(), key=lambda lang: lang.code)
        ],
        "cost_options": cost_options(service),
        "schedules": [session_schedule(service_id, s, now) for s in service.sessions.all()],
        "service_areas": service_area_objects(service),
        "service_at_locations": [
            service_at_location_object(service, location, now)
            for location in service.locations.all()
        ],
        "attributes": attributes(service),
        "metadata": [
            {
                "id": derived_id(service_id, "metadata:created"),
                "resource_id": service_id,
                "resource_type": "service",
                "last_action_date": timezone.localtime(service.created, AMSTERDAM)
                .date()
                .isoformat(),
                "last_action_type": "create",
                "field_name": "id",
                "previous_value": "",
                "replacement_value": service_id,
                "updated_by": settings.SITE_NAME,
            }
        ],
    }
    return compact(data)


def minimal_object(service):
    return {"id": uid(service), "last_modified": timestamp(last_modified(service))}


# --- querysets ------------------------------------------------------------------------


def feed_queryset():
    """Services the open-data feed publishes (Service.objects.open_data), in a stable order."""
    return Service.objects.open_data().order_by("name", "pk")


def with_locations(locations):
    """A Location queryset with what location_object reads."""
    periods = Prefetch(
        "opening_periods", queryset=OpeningPeriod.objects.order_by("weekday", "opens")
    )
    return locations.select_related("municipality").prefetch_related(periods)


def with_document(queryset):
    """queryset with everything service_object reads, in a fixed number of queries."""
    locations = with_locations(Location.objects.all())
    return queryset.select_related("organisation", "verified_by").prefetch_related(
        "target_groups",
        "support_types",
        "themes",
        "languages",
        "municipalities",
        "sessions",
        Prefetch("locations", queryset=locations.order_by("name", "pk")),
    )


def export_queryset():
    """Every service with what its document needs (callers narrow it to the feed)."""
    return with_document(Service.objects.order_by("name", "pk"))


def organisations_queryset():
    """Organisations that provide at least one service in the feed."""
    return Organisation.objects.filter(
        pk__in=feed_queryset().order_by().values("organisation_id")
    ).order_by("name", "pk")


def modified_across(queryset):
    """The latest last_modified over a queryset of services (for Last-Modified headers)."""
    return queryset.order_by().aggregate(latest=Max("modified"))["latest"]


# --- reading a feed (import_hsds) -----------------------------------------------------

FROM_STATUS = {
    "active": Service.Status.PUBLISHED,
    "temporarily closed": Service.Status.TEMPORARILY_CLOSED,
    "defunct": Service.Status.ARCHIVED,
    "inactive": Service.Status.DRAFT,
}
TOOI_PREFIX = "https://identifier.overheid.nl/tooi/id/gemeente/"
SUMMARY_LENGTH = 160


class FeedError(ValueError):
    """A record that cannot be read; the message says which field and why."""


def _text(data, key, limit=None):
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FeedError(f"{key}: tekst verwacht")
    value = value.replace("\x00", "").strip()
    if limit and len(value) > limit:
        raise FeedError(f"{key}: hoogstens {limit} tekens")
    return value


def _uuid(data, key, required=True):
    value = data.get(key)
    if value is None and not required:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise FeedError(f"{key}: geen UUID") from None


def _list(data, key):
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise FeedError(f"{key}: een lijst van objecten verwacht")
    return value


def _object(data, key):
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FeedError(f"{key}: een object verwacht")
    return value


def _age(data, key):
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 120:
        raise FeedError(f"{key}: een leeftijd van 0 tot en met 120 verwacht")
    return int(value)


def noon(day):
    """An aware moment on day (Amsterdam): a stored assured_date's verified_at."""
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=AMSTERDAM)


def first_sentence(value, limit=SUMMARY_LENGTH):
    """The first sentence of value, cut to limit characters (a summary for review)."""
    value = " ".join(value.split())
    for end in (". ", "! ", "? "):
        if end in value:
            value = value.split(end, 1)[0] + end.strip()
            break
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def local_time(value, weekday):
    """A schedule time ("10:00", "10:00:00", "10:00+02:00", "08:00Z") as Amsterdam time."""
    if not isinstance(value, str):
        raise FeedError("opens_at/closes_at: tijd verwacht")
    try:
        clock = datetime.time.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FeedError(f"opens_at/closes_at: {value[:20]!r} is geen tijd") from None
    if clock.tzinfo is None:
        return clock
    today = timezone.localtime(timezone.now(), AMSTERDAM).date()
    day = today + datetime.timedelta(days=(weekday - today.isoweekday()) % 7)
    moment = datetime.datetime.combine(day, clock.replace(tzinfo=None), tzinfo=clock.tzinfo)
    return moment.astimezone(AMSTERDAM).time().replace(tzinfo=None)


def _fields_from_characteristics(attributes):
    """Service fields from our characteristic terms (codes), with the catalogue's defaults."""
    codes = set()
    for attribute in attributes:
        term = _object(attribute, "taxonomy_term")
        if term.get("taxonomy_id") == TAXONOMY_BY_KEY["characteristic"].id:
            codes.add(str(term.get("code", "")))
    fields = {}
    for field, both in (("format", Service.Format.BOTH), ("provided_by", Service.ProvidedBy.BOTH)):
        chosen = sorted(c.split(":", 1)[1] for c in codes if c.startswith(f"{field}:"))
        if len(chosen) > 1:
            fields[field] = both
        elif chosen:
            fields[field] = chosen[0]
        elif field == "provided_by":
            fields[field] = Service.ProvidedBy.UNKNOWN
    for field in ("frequency", "cost", "cost_unit"):
        chosen = [c.split(":", 1)[1] for c in codes if c.startswith(f"{field}:")]
        if chosen:
            fields[field] = chosen[0]
    for field in FLAGS:
        fields[field] = f"flag:{field}" in codes
    if not any(fields[f] for f in criteria.SETTINGS):
        fields["out_of_home"] = True  # a feed without our settings: the usual case
    return fields


def _terms(attributes):
    """{taxonomy key: [(uuid, code, name, description)]} for our stored taxonomies."""
    found = {t.key: [] for t in TAXONOMIES if t.model is not None}
    for attribute in attributes:
        term = _object(attribute, "taxonomy_term")
        taxonomy = next((t for t in TAXONOMIES if t.id == term.get("taxonomy_id")), None)
        if taxonomy is None or taxonomy.model is None:
            continue  # characteristics, or another publisher's taxonomy
        name = _text(term, "name", 100)
        description = _text(term, "description", 300)
        found[taxonomy.key].append(
            (
                _uuid(term, "id"),
                _text(term, "code", 100),
                name,
                "" if description == name else description,
            )
        )
    return found


def _areas(areas):
    """(scope, [(cbs code, name)]) from service areas."""
    municipalities = []
    national = False
    for area in areas:
        name = _text(area, "name", 100)
        uri = _text(area, "uri")
        if name == "Nederland" and not uri:
            national = True
        elif name:
            code = uri[len(TOOI_PREFIX) :].upper() if uri.startswith(TOOI_PREFIX) else ""
            municipalities.append((code, name))
    scope = Service.Scope.NATIONAL if national or not municipalities else Service.Scope.LOCAL
    return scope, municipalities if scope == Service.Scope.LOCAL else []


def _location(item):
    location = item.get("location")
    if not isinstance(location, dict):
        raise FeedError("service_at_locations: elk item heeft een location")
    address = (_list(location, "addresses") or [{}])[0]
    texts = [_text(a, "description") for a in _list(location, "accessibility")]
    wheelchair = WHEELCHAIR_TEXT in texts
    accessibility = " ".join(t for t in texts if t and t != WHEELCHAIR_TEXT)
    hours, notes = [], ""
    for schedule in _list(location, "schedules"):
        notes = notes or _text(schedule, "notes", 300)
        for code in _text(schedule, "byday").split(","):
            code = code.strip().upper()
            if code not in WEEKDAYS:
                continue  # monthly or other rules we cannot show
            weekday = WEEKDAYS.index(code) + 1
            opens = local_time(schedule.get("opens_at"), weekday)
            closes = local_time(schedule.get("closes_at"), weekday)
            hours.append((weekday, opens, closes))
    coordinates = {}
    for key in ("latitude", "longitude"):
        value = location.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise FeedError(f"{key}: getal verwacht")
        coordinates[key] = (
            Decimal(value).quantize(Decimal("0.000001")) if value is not None else None
        )
    return {
        "uuid": _uuid(location, "id"),
        "name": _text(location, "name", 200) or _text(address, "address_1", 200) or "Locatie",
        "address": _text(address, "address_1", 200),
        "postcode": _text(address, "postal_code", 7),
        "place": _text(address, "city", 100),
        "municipality": _text(address, "region", 100),
        "wheelchair_accessible": wheelchair,
        "accessibility": accessibility[:300],
        "hours_note": notes,
        "hours": sorted(hours),
        **coordinates,
    }


def _date(data, key):
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise FeedError(f"schedules.{key}: datum verwacht (JJJJ-MM-DD)") from None


def _session_clock(value, day):
    """A schedule time as Amsterdam time on that date (its offset read back)."""
    if not isinstance(value, str):
        raise FeedError("schedules.opens_at/closes_at: tijd verwacht")
    try:
        clock = datetime.time.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FeedError(f"schedules.opens_at/closes_at: {value[:20]!r} is geen tijd") from None
    if clock.tzinfo is None:
        return clock
    moment = datetime.datetime.combine(day, clock.replace(tzinfo=None), tzinfo=clock.tzinfo)
    return moment.astimezone(AMSTERDAM).time().replace(tzinfo=None)


def read_session(schedule):
    """A service schedule as ActivitySession fields, or None for rules we cannot hold
    (monthly, several days, no times)."""
    Kind = ActivitySession.Kind  # noqa: N806
    code = _text(schedule, "byday").strip().upper()
    if schedule.get("freq") != "WEEKLY" or code not in WEEKDAYS:
        return None
    if not schedule.get("opens_at") or not schedule.get("closes_at"):
        return None
    weekday = WEEKDAYS.index(code) + 1
    start = _date(schedule, "dtstart") or _date(schedule, "valid_from")
    end = _date(schedule, "until") or _date(schedule, "valid_to")
    count, interval = schedule.get("count"), schedule.get("interval") or 1
    if count == 1 and start:
        kind, end = Kind.ONCE, None
    elif interval == 2 and start:
        kind = Kind.FORTNIGHTLY
    elif interval == 1 and start and end:
        kind = Kind.COURSE
    elif interval == 1:
        kind = Kind.WEEKLY
    else:
        return None
    probe = ActivitySession(kind=kind, weekday=weekday, start_date=start)
    day = session_day(probe)
    return {
        "kind": kind,
        "weekday": None if kind == Kind.ONCE else weekday,
        "start_date": start,
        "end_date": end,
        "starts_at": _session_clock(schedule["opens_at"], day),
        "ends_at": _session_clock(schedule["closes_at"], day),
        "note": _text(schedule, "notes", 200),
    }


def read_service(document):
    """What one HSDS service document says, in our terms (raises FeedError)."""
    if not isinstance(document, dict):
        raise FeedError("een service-object verwacht")
    status = document.get("status")
    if not isinstance(status, str) or status not in FROM_STATUS:
        raise FeedError("status: active, inactive, defunct of temporarily closed verwacht")
    name = _text(document, "name", 200)
    if not name:
        raise FeedError("name: ontbreekt")
    organisation = _object(document, "organization")
    org_id = organisation.get("id") or document.get("organization_id")
    if org_id is None:
        raise FeedError("organization_id: ontbreekt")
    attributes = _list(document, "attributes")
    description = _text(document, "description")
    fees = _text(document, "fees_description", 300)
    cost_option = (_list(document, "cost_options") or [{}])[0]
    amount = cost_option.get("amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float)):
        raise FeedError("cost_options.amount: getal verwacht")
    conditions = _text(document, "eligibility_description")
    fields = _fields_from_characteristics(attributes)
    for flag, sentence_ in (
        ("referral_required", REFERRAL_TEXT),
        ("low_income_only", LOW_INCOME_TEXT),
    ):
        if fields[flag] and conditions.startswith(sentence_):
            conditions = conditions[len(sentence_) :].strip()
    if fields.get("cost") is None:
        fields["cost"] = Service.Cost.PAID if amount else Service.Cost.UNKNOWN
    cost_label = dict(Service.Cost.choices).get(fields["cost"], "")
    phones = _list(document, "phones")
    scope, municipalities = _areas(_list(document, "service_areas"))
    assured = _text(document, "assured_date")
    try:
        verified_on = datetime.date.fromisoformat(assured) if assured else None
    except ValueError:
        raise FeedError("assured_date: datum verwacht (JJJJ-MM-DD)") from None
    return {
        "uuid": _uuid(document, "id"),
        "status": FROM_STATUS[status],
        "organisation": {
            "uuid": _uuid({"id": org_id}, "id"),
            "name": _text(organisation, "name", 200) or name,
            "description": _text(organisation, "description"),
            "email": _text(organisation, "email"),
            "website": _text(organisation, "website", 500),
            "phone": _text((_list(organisation, "phones") or [{}])[0], "number", 30),
        },
        "fields": {
            **fields,
            "name": name,
            "alternate_name": _text(document, "alternate_name", 200),
            "essence": description,
            "summary": first_sentence(description or name),
            "url": _text(document, "url", 500),
            "email": _text(document, "email"),
            "phone": _text(phones[0], "number", 30) if phones else "",
            "how_to_apply": _text(document, "application_process"),
            "wait_time": _text(document, "wait_time", 200),
            "cost_text": "" if fees == str(cost_label) else fees,
            "cost_amount": Decimal(amount).quantize(Decimal("0.01"))
            if amount is not None
            else None,
            "conditions": conditions,
            "min_age": _age(document, "minimum_age"),
            "max_age": _age(document, "maximum_age"),
            "alert": _text(document, "alert", 200),
            "scope": scope,
        },
        "terms": _terms(attributes),
        "languages": [
            (_text(language, "code", 8), _text(language, "name", 100))
            for language in _list(document, "languages")
            if language.get("code")
        ],
        "municipalities": municipalities,
        "locations": [_location(item) for item in _list(document, "service_at_locations")],
        "sessions": [found for found in map(read_session, _list(document, "schedules")) if found],
        "verified_on": verified_on,
        "assurer_email": _text(document, "assurer_email"),
    }
