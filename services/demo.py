"""Demo data for the catalogue, and synthetic bulk data for load and search benchmarks.

The data lives in fixtures/ (JSON, Dutch); this module only loads it. Demo rows are found by a
natural key (a slug, a term, a username) and saved only when something differs, so loading
twice changes nothing. Synthetic rows all have slugs starting with SYNTHETIC_PREFIX.
"""

import datetime
import json
import random
import secrets
import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from . import roles, text
from .models import (
    ActivitySession,
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

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_MUNICIPALITY = "voorbeeldstad"
TAXONOMY_MODELS = {
    "support_types": SupportType,
    "target_groups": TargetGroup,
    "themes": Theme,
    "languages": Language,
}
SETTINGS = ("at_home", "out_of_home", "online", "by_phone")
RELATIONS = ("municipalities", "target_groups", "support_types", "themes", "languages")
COUNTED_MODELS = (
    Municipality,
    SupportType,
    TargetGroup,
    Theme,
    Language,
    Synonym,
    Organisation,
    Service,
    Location,
    OpeningPeriod,
)

# National offers whose contact data is not in the seed are published with what the seed
# says and marked "contactgegevens volgen": the page then points to the site's own helpline
# and the curators' dashboard lists them to complete. We do not invent a phone number.
COST_SEE_WEBSITE = "Kosten: zie de website van de aanbieder."
COST_UNKNOWN = "Kosten: nog niet bekend. Vraag het na bij de aanbieder."


def read_fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _sync(instance, values):
    """Set the values that differ on instance; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def upsert(model, *, lookup, values):
    """The row found by lookup, created or updated to values, validated; saved only if needed."""
    instance = model._default_manager.filter(**lookup).first()
    created = instance is None
    if created:
        instance = model(**lookup)
    if _sync(instance, values) or created:
        instance.full_clean()
        instance.save()
    return instance


# Reference data ---------------------------------------------------------------------------


def load_taxonomies():
    """Support types, target groups, themes, languages and synonyms."""
    data = read_fixture("demo/taxonomies")
    english = read_fixture("demo/taxonomies_en")  # name_en and description_en, by slug
    for old, new in SupportType.FORMER_SLUGS.items():
        # A database loaded before the slugs were Dutch: rename, keep the rows and links.
        if not SupportType.objects.filter(slug=new).exists():
            SupportType.objects.filter(slug=old).update(slug=new)
    for key, model in TAXONOMY_MODELS.items():
        for position, row in enumerate(data[key], start=1):
            values = {name: value for name, value in row.items() if name != "slug"}
            values.update(english.get(key, {}).get(row["slug"], {}))
            upsert(model, lookup={"slug": row["slug"]}, values={**values, "position": position})
    for row in data["synonyms"]:
        upsert(
            Synonym,
            lookup={"term": row["term"]},
            values={"alternatives": row["alternatives"], "two_way": row.get("two_way", False)},
        )


def load_municipalities():
    """The fifteen municipalities named in the seeds, plus the fictional Voorbeeldstad."""
    for row in read_fixture("demo/municipalities")["municipalities"]:
        upsert(
            Municipality,
            lookup={"slug": row["slug"]},
            values={"name": row["name"], "cbs_code": row["cbs_code"]},
        )


def _by_slug(model):
    return {row.slug: row for row in model.objects.all()}


# Services ---------------------------------------------------------------------------------


def service_fields(row, *, contact, scope, status):
    """The Service field values of one fixture row."""
    amount = row.get("cost_amount")
    return {
        "name": row["name"],
        "summary": row["summary"],
        "essence": row["essence"],
        "how_to_apply": row.get("how_to_apply", ""),
        "conditions": row.get("conditions", ""),
        "wait_time": row.get("wait_time", ""),
        "alert": row.get("alert", ""),
        "format": row.get("format", Service.Format.INDIVIDUAL),
        "frequency": row.get("frequency", Service.Frequency.RECURRING),
        "provided_by": row.get("provided_by", Service.ProvidedBy.VOLUNTEERS),
        "cost": row.get("cost", Service.Cost.FREE),
        "cost_amount": Decimal(amount) if amount is not None else None,
        "cost_unit": row.get("cost_unit", ""),
        "cost_text": row.get("cost_text", ""),
        "min_age": row.get("min_age"),
        "max_age": row.get("max_age"),
        "low_income_only": row.get("low_income_only", False),
        "referral_required": row.get("referral_required", False),
        "scope": scope,
        "status": status,
        **contact,
        **{name: name in row["settings"] for name in SETTINGS},
    }


def _verified_at(days_ago):
    if days_ago is None:
        return None
    return timezone.now() - datetime.timedelta(days=days_ago)


def _set_relations(service, relations):
    """Set the many-to-many values; True when any of them changed."""
    changed = False
    for name, values in relations.items():
        manager = getattr(service, name)
        if set(manager.values_list("pk", flat=True)) != {value.pk for value in values}:
            manager.set(values)
            changed = True
    return changed


@transaction.atomic
def service_upsert(*, slug, organisation, fields, relations, verified_days_ago=None):
    """Create or update one service by slug, validated like the admin does."""
    service = Service.objects.filter(slug=slug).first()
    created = service is None
    if created:
        service = Service(slug=slug)
    changed = _sync(service, {"organisation_id": organisation.pk, **fields})
    # Relative dates keep the demo fresh; a later run leaves an existing date alone.
    if created or (verified_days_ago is None) != (service.verified_at is None):
        service.verified_at = _verified_at(verified_days_ago)
        changed = True
    service.full_clean()
    service.clean_relations(
        municipalities=relations["municipalities"], target_groups=relations["target_groups"]
    )
    if changed or created:
        service.save()
    if _set_relations(service, relations) or changed or created:
        service.refresh_search_extra()
    return service


def _relations(row, terms, municipalities):
    return {
        "municipalities": municipalities,
        "target_groups": [terms["target_groups"][slug] for slug in row["target_groups"]],
        "support_types": [terms["support_types"][slug] for slug in row["support_types"]],
        "themes": [terms["themes"][slug] for slug in row["themes"]],
        "languages": [terms["languages"][slug] for slug in row.get("languages", ["nederlands"])],
    }


def _terms():
    return {key: _by_slug(model) for key, model in TAXONOMY_MODELS.items()}


def load_national():
    """The national offers of seed 002, all published: a website only where the seed names
    one, otherwise marked as waiting for contact details (see Service.contact_pending)."""
    terms = _terms()
    for row in read_fixture("demo/national")["services"]:
        url = row.get("url", "")
        organisation = upsert(
            Organisation,
            lookup={"slug": slugify(row["organisation"])},
            values={"name": row["organisation"], "domain": row["domain"], "website": url},
        )
        row = {
            # Where the seed does not say, the listing says it is not known rather than guess.
            "cost": Service.Cost.UNKNOWN,
            "provided_by": Service.ProvidedBy.UNKNOWN,
            "cost_text": COST_SEE_WEBSITE if url else COST_UNKNOWN,
            "how_to_apply": f"Ga naar {url.removeprefix('https://')}." if url else "",
            **row,
        }
        fields = service_fields(
            row,
            contact={"phone": "", "email": "", "url": url},
            scope=Service.Scope.NATIONAL,
            status=Service.Status.PUBLISHED,
        )
        service_upsert(
            slug=slugify(row["name"]),
            organisation=organisation,
            fields={**fields, "contact_pending": not url},
            relations=_relations(row, terms, []),
        )


def _organisation_upsert(row):
    host = row["host"]
    return upsert(
        Organisation,
        lookup={"slug": row["slug"]},
        values={
            "name": row["name"],
            "domain": row["domain"],
            "description": row["description"],
            "website": f"https://{host}.example.org",
            "email": f"info@{host}.example.org",
            "phone": row["phone"],
        },
    )


def _contact(row, organisation):
    return {
        "phone": row.get("phone", organisation.phone),
        "email": row.get("email", organisation.email),
        "url": row.get("url", organisation.website),
    }


def locations_sync(service, rows, *, venues, municipality):
    """Make the service's locations and opening hours match the fixture rows exactly."""
    keep = []
    for row in rows:
        venue = venues[row["venue"]]
        location = upsert(
            Location,
            lookup={"service": service, "name": venue["name"]},
            values={
                "address": venue["address"],
                "postcode": venue["postcode"],
                "place": municipality.name,
                "municipality": municipality,
                "wheelchair_accessible": venue["wheelchair_accessible"],
                "accessibility": venue.get("accessibility", ""),
                "hours_note": row.get("hours_note", ""),
            },
        )
        hours_sync(location, row.get("hours", []))
        keep.append(location.pk)
    service.locations.exclude(pk__in=keep).delete()


def _time(value):
    return datetime.time.fromisoformat(value)


def hours_sync(location, rows):
    wanted = {(weekday, _time(opens), _time(closes)) for weekday, opens, closes in rows}
    for period in location.opening_periods.all():
        key = (period.weekday, period.opens, period.closes)
        if key in wanted:
            wanted.discard(key)
        else:
            period.delete()
    for weekday, opens, closes in sorted(wanted):
        period = OpeningPeriod(location=location, weekday=weekday, opens=opens, closes=closes)
        period.full_clean()
        period.save()


def load_local():
    """Voorbeeldstad's organisations and services, and a few examples in real municipalities."""
    data = read_fixture("demo/voorbeeldstad")
    terms = _terms()
    municipalities = _by_slug(Municipality)
    organisations = {row["slug"]: _organisation_upsert(row) for row in data["organisations"]}
    for row in data["services"]:
        organisation = organisations[row["organisation"]]
        places = [municipalities[slug] for slug in row.get("municipalities", [DEMO_MUNICIPALITY])]
        service = service_upsert(
            slug=row["slug"],
            organisation=organisation,
            fields=service_fields(
                row,
                contact=_contact(row, organisation),
                scope=Service.Scope.LOCAL,
                status=row.get("status", Service.Status.PUBLISHED),
            ),
            relations=_relations(row, terms, places),
            verified_days_ago=row.get("verified_days_ago"),
        )
        locations_sync(
            service, row.get("locations", []), venues=data["venues"], municipality=places[0]
        )


def load_sessions(today=None):
    """When Voorbeeldstad's activities take place (fixtures/demo/sessions.json).

    Courses start a few weeks after `today`, so the demo always has an upcoming one; the
    rows are kept in step with the fixture on every run (idempotent)."""
    today = today or timezone.localdate()
    data = read_fixture("demo/sessions")
    venues = read_fixture("demo/voorbeeldstad")["venues"]
    services = _by_slug(Service)
    wanted = {}
    for row in data["sessions"]:
        service = services[row["service"]]
        values = {
            "kind": row["kind"],
            "weekday": row.get("weekday"),
            "starts_at": _time(row["starts_at"]),
            "ends_at": _time(row["ends_at"]),
            "location": service.locations.filter(name=venues[row["venue"]]["name"]).first(),
            "note": row.get("note", ""),
            "places": row.get("places"),
            "start_date": None,
            "end_date": None,
            "signup_deadline": None,
        }
        if row["kind"] == ActivitySession.Kind.COURSE:
            first = today + datetime.timedelta(days=row["start_after_days"])
            first += datetime.timedelta(days=(row["weekday"] - first.isoweekday()) % 7)
            values["start_date"] = first
            values["end_date"] = first + datetime.timedelta(weeks=row["meetings"] - 1)
            values["signup_deadline"] = first - datetime.timedelta(days=row["signup_days_before"])
        key = (service.pk, values["kind"], values["weekday"], values["starts_at"])
        wanted[key] = (service, values)
    for session in ActivitySession.objects.filter(service__in=[s for s, _ in wanted.values()]):
        key = (session.service_id, session.kind, session.weekday, session.starts_at)
        if key not in wanted:
            session.delete()
    for (_service_id, kind, weekday, starts_at), (service, values) in wanted.items():
        upsert(
            ActivitySession,
            lookup={"service": service, "kind": kind, "weekday": weekday, "starts_at": starts_at},
            values=values,
        )


def counts():
    """Rows per catalogue model, by verbose plural name."""
    return {str(model._meta.verbose_name_plural): model.objects.count() for model in COUNTED_MODELS}


def load_demo():
    """Load all catalogue demo data; returns counts()."""
    with transaction.atomic():
        load_taxonomies()
        load_municipalities()
    with transaction.atomic():
        load_national()
    with transaction.atomic():
        load_local()
        load_sessions()
    return counts()


# Demo accounts ----------------------------------------------------------------------------


@transaction.atomic
def create_demo_users():
    """One account per role; returns [(username, password or None when it already existed)]."""
    groups = roles.ensure_groups()
    user_model = get_user_model()
    created = []
    for spec in read_fixture("demo/users")["users"]:
        user = user_model.objects.filter(username=spec["username"]).first()
        password = None
        if user is None:
            password = secrets.token_urlsafe(12)
            user = user_model(username=spec["username"])
            user.set_password(password)
        values = {
            "email": spec["email"],
            "is_staff": spec["staff"],
            "is_superuser": spec.get("superuser", False),
        }
        if _sync(user, values) or password:
            user.save()
        _grant(user, spec, groups)
        created.append((user.username, password))
    return created


def _grant(user, spec, groups):
    if "role" in spec:
        user.groups.add(groups[getattr(roles, spec["role"])])
    if "organisation" in spec:
        Organisation.objects.get(slug=spec["organisation"]).users.add(user)
    if "curates" in spec:
        Municipality.objects.get(slug=spec["curates"]).curators.add(user)


# Synthetic data ---------------------------------------------------------------------------

SYNTHETIC_PREFIX = "synth-"
BATCH_SIZE = 2000
STATUS_WEIGHTS = {
    Service.Status.PUBLISHED: 90,
    Service.Status.DRAFT: 3,
    Service.Status.IN_REVIEW: 3,
    Service.Status.TEMPORARILY_CLOSED: 2,
    Service.Status.ARCHIVED: 2,
}
NATIONAL_SHARE = 0.02
# Letter pairs of made-up postcodes (services.validators forbids SA, SD and SS).
POSTCODE_LETTERS = [a + b for a in "ABCEGHJKLMNPRTVWXZ" for b in "ABCEGHJKLMNPRTVWXZ"]


def synthetic_clear():
    """Delete every synthetic service and organisation; returns how many services went."""
    ids = list(
        Service.objects.filter(slug__startswith=SYNTHETIC_PREFIX).values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH_SIZE):
        with transaction.atomic():
            Service.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).delete()
    Organisation.objects.filter(slug__startswith=SYNTHETIC_PREFIX).delete()
    Municipality.objects.filter(slug__startswith=SYNTHETIC_PREFIX).delete()
    return len(ids)


def synthetic_municipalities(wanted):
    """Add fictional municipalities until there are `wanted` (none if there are already)."""
    have = Municipality.objects.count()
    first = _next_number_of(Municipality.objects.filter(slug__startswith=SYNTHETIC_PREFIX))
    Municipality.objects.bulk_create(
        Municipality(
            name=f"Synthetische gemeente {number:03d}",
            slug=f"{SYNTHETIC_PREFIX}gemeente-{number:03d}",
        )
        for number in range(first, first + max(0, wanted - have))
    )


def _next_number(model):
    """The first free number after existing synthetic slugs (numbers are zero-padded)."""
    return _next_number_of(model.objects.filter(slug__startswith=SYNTHETIC_PREFIX))


def _next_number_of(queryset):
    last = queryset.order_by("-slug").values_list("slug", flat=True).first()
    return int(last.rsplit("-", 1)[1]) + 1 if last else 1


class SyntheticWriter:
    """Builds services from word lists with one seeded Random, and bulk-inserts them."""

    def __init__(self, *, seed):
        self.rng = random.Random(seed)
        self.words = read_fixture("synthetic")
        self.terms = {
            key: sorted(model.objects.all(), key=lambda term: term.slug)
            for key, model in TAXONOMY_MODELS.items()
        }
        self.by_slug = {key: {t.slug: t for t in terms} for key, terms in self.terms.items()}
        self.municipalities = list(Municipality.objects.order_by("slug"))
        rare = self.words["rare"]
        self.rare_weights = [1 / (rank + 1) ** 1.5 for rank in range(len(rare))]
        self.through = {name: _through(name) for name in RELATIONS}

    def organisations(self, count):
        """count synthetic organisations, each in one municipality, saved."""
        first = _next_number(Organisation)
        rows = []
        for number in range(first, first + count):
            kind = self.rng.choice(self.words["organisation_kinds"])
            municipality = self.municipalities[number % len(self.municipalities)]
            place = self.rng.choice(self.words["neighbourhoods"])
            slug = f"{SYNTHETIC_PREFIX}org-{number:06d}"
            organisation = Organisation(
                slug=slug,
                name=f"{kind['name']} {place} {municipality.name}",
                domain=kind["domain"],
                description="Synthetische testgegevens.",
                website=f"https://{slug}.example.org",
                email=f"info@{slug}.example.org",
                phone=self.phone(),
            )
            organisation.home = municipality
            rows.append(organisation)
        Organisation.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        return rows

    def phone(self):
        return (
            f"0123 {self.rng.randint(10, 99)} {self.rng.randint(10, 99)} {self.rng.randint(10, 99)}"
        )

    def write(self, *, count, organisations, progress=None):
        """Create count services in batches; returns the number created."""
        first = _next_number(Service)
        for start in range(0, count, BATCH_SIZE):
            size = min(BATCH_SIZE, count - start)
            batch = [
                self.service(first + start + i, self.rng.choice(organisations)) for i in range(size)
            ]
            with transaction.atomic():
                self.insert(batch)
            if progress:
                progress(start + size)
        return count

    def service(self, number, organisation):
        """One unsaved Service with its relations and locations attached as attributes."""
        rng, kind = self.rng, self.rng.choice(self.words["kinds"])
        place = rng.choice(self.words["neighbourhoods"])
        municipality = organisation.home
        name = self.name(kind, place)
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        slug = f"{SYNTHETIC_PREFIX}{number:07d}"
        service = Service(
            organisation=organisation,
            name=name,
            slug=slug,
            summary=f"{kind['what']}, in {place} ({municipality.name}).",
            essence=self.essence(kind, place, municipality),
            how_to_apply=f"Bel of mail {organisation.name}.",
            format=kind["format"],
            frequency=kind.get("frequency", Service.Frequency.RECURRING),
            provided_by=kind.get("provided_by", Service.ProvidedBy.VOLUNTEERS),
            min_age=kind.get("min_age", 18 if rng.random() < 0.2 else None),
            max_age=kind.get("max_age"),
            low_income_only=kind.get("low_income", False),
            referral_required=kind.get("referral", False),
            scope=Service.Scope.NATIONAL if rng.random() < NATIONAL_SHARE else Service.Scope.LOCAL,
            status=status,
            phone=organisation.phone,
            email=organisation.email if rng.random() < 0.8 else "",
            url=f"{organisation.website}/{slug}",
            verified_at=_verified_at(rng.randint(0, 900)) if rng.random() < 0.85 else None,
            **{setting: setting in kind["settings"] for setting in SETTINGS},
            **self.cost(kind),
        )
        service.relations = self.relations(kind, service, municipality)
        service.search_name = text.normalise(name)[:200]
        service.search_summary = text.normalise(service.summary)[:200]
        service.search_body = text.normalise(service.essence)
        service.search_extra = text.normalise(
            " ".join(
                [organisation.name]
                + [
                    t.name
                    for key in ("target_groups", "support_types", "themes")
                    for t in service.relations[key]
                ]
            )
        )
        service.places = self.locations(municipality) if service.out_of_home else []
        return service

    def name(self, kind, place):
        roll = self.rng.random()
        if roll < 0.6:
            return f"{kind['name']} {place}"
        if roll < 0.85:
            return f"{kind['name']} {self.rng.choice(self.words['nicknames'])}"
        return kind["name"]

    def essence(self, kind, place, municipality):
        rng, words = self.rng, self.words
        day = rng.choice(words["days"])
        opens, closes = rng.choice(words["times"])
        sentences = [
            f"{kind['what']}.",
            f"Dit gebeurt in {place} in {municipality.name}, meestal op {day} "
            f"van {opens} tot {closes} uur.",
            rng.choice(words["extras"]),
        ]
        if rng.random() < 0.3:
            hobby = rng.choices(words["rare"], weights=self.rare_weights)[0]
            sentences.append(f"Soms doen we samen aan {hobby}.")
        return " ".join(sentences)

    def cost(self, kind):
        cost = kind.get("cost", Service.Cost.FREE)
        if cost == Service.Cost.FREE:
            return {"cost": cost}
        amount = kind.get("amount")
        return {
            "cost": cost,
            "cost_amount": Decimal(amount) if amount else None,
            "cost_unit": kind.get("unit", "") if amount else "",
            "cost_text": f"€ {amount.replace('.', ',')}" if amount else "Vraag naar de kosten.",
        }

    def relations(self, kind, service, municipality):
        rng, by_slug = self.rng, self.by_slug
        languages = [by_slug["languages"]["nederlands"]]
        if "languages" in kind and rng.random() < 0.5:
            languages.append(by_slug["languages"][rng.choice(kind["languages"])])
        elif rng.random() < 0.1:
            extra = rng.choice(self.terms["languages"])
            if extra not in languages:
                languages.append(extra)
        groups = [by_slug["target_groups"][slug] for slug in kind["groups"]]
        return {
            "municipalities": [] if service.scope == Service.Scope.NATIONAL else [municipality],
            "target_groups": groups[: rng.randint(1, len(groups))],
            "support_types": [by_slug["support_types"][slug] for slug in kind["support"]],
            "themes": [by_slug["themes"][slug] for slug in kind["themes"]],
            "languages": languages,
        }

    def locations(self, municipality):
        rng, words = self.rng, self.words
        location = Location(
            name=f"{rng.choice(words['venues'])} {municipality.name}",
            address=f"{rng.choice(words['streets'])} {rng.randint(1, 180)}",
            postcode=f"{rng.randint(1000, 9999)} {rng.choice(POSTCODE_LETTERS)}",
            place=municipality.name,
            municipality=municipality,
            wheelchair_accessible=rng.random() < 0.6,
        )
        location.hours = []
        for _ in range(rng.randint(1, 3)):
            opens, closes = rng.choice(words["times"])
            location.hours.append((rng.randint(1, 7), _time(opens), _time(closes)))
        return [location]

    def insert(self, batch):
        """Insert one batch of services with their relations, locations and hours."""
        bulk_insert(Service, batch, with_pk=True)
        for name in RELATIONS:
            model, source, target = self.through[name]
            rows = [
                model(**{source: service.pk, target: term.pk})
                for service in batch
                for term in service.relations[name]
            ]
            bulk_insert(model, rows)
        locations = []
        for service in batch:
            for location in service.places:
                location.service = service
                locations.append(location)
        bulk_insert(Location, locations, with_pk=True)
        periods = [
            OpeningPeriod(location=location, weekday=weekday, opens=opens, closes=closes)
            for location in locations
            for weekday, opens, closes in set(location.hours)
        ]
        bulk_insert(OpeningPeriod, periods)


def bulk_insert(model, rows, *, with_pk=False):
    """bulk_create, or COPY on PostgreSQL, which is several times faster for large batches.

    With with_pk, primary keys come from the table's sequence first, so that related rows
    can point at them. Like bulk_create, this skips save() and signals; database triggers
    (the search vector) still run.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows)
        return
    table = model._meta.db_table
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    with connection.cursor() as cursor:
        if with_pk:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, len(rows)],
            )
            for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
                row.pk = pk
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        quoted = connection.ops.quote_name(table)
        with cursor.copy(f"COPY {quoted} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
                )
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias


def _through(name):
    """(through model, source id column, target id column) of a Service many-to-many field."""
    field = Service._meta.get_field(name)
    return (
        field.remote_field.through,
        f"{field.m2m_field_name()}_id",
        f"{field.m2m_reverse_field_name()}_id",
    )


def analyse_tables():
    """Refresh PostgreSQL's planner statistics after a bulk load, so benchmarks plan well.

    Outside a transaction it also VACUUMs, which marks the new pages all-visible so that
    index-only scans (such as on status and id) work at once instead of after autovacuum."""
    if connection.vendor != "postgresql":
        return
    models = [Service, Organisation, Location, OpeningPeriod]
    models += [_through(name)[0] for name in RELATIONS]
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


def seed_synthetic(*, count, seed=42, clear=False, progress=None, municipalities=0):
    """Create count synthetic services (about one organisation per 20); returns a summary.

    progress, if given, is called with the number of services written after each batch.
    municipalities: spread the local services over at least this many municipalities,
    adding fictional ones ("Synthetische gemeente 017") where the demo has fewer, as a
    national instance (342) has.
    """
    started = time.monotonic()
    removed = synthetic_clear() if clear else 0
    if count and not SupportType.objects.exists():
        with transaction.atomic():
            load_taxonomies()
            load_municipalities()
    synthetic_municipalities(municipalities)
    created = 0
    if count:
        writer = SyntheticWriter(seed=seed)
        with transaction.atomic():
            organisations = writer.organisations(max(1, count // 20))
        created = writer.write(count=count, organisations=organisations, progress=progress)
        analyse_tables()
    return {"removed": removed, "created": created, "seconds": time.monotonic() - started}
