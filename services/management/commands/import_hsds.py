"""Read an HSDS 3.0 feed (JSON or ndjson) into services for review, all or nothing.

Services are matched on their UUID. A new service is created with the feed's UUIDs and
goes to the curators as a new service in review; a known live service gets the feed's
content as a proposed change; a known service that is not live yet is updated directly
and recorded as an import. Organisations, terms, languages and municipalities are matched
on UUID, code or name and created when missing. If any record has an error, nothing is
written and every error is listed with its record.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError
from django.db import transaction

from services import actions, hsds, snapshots
from services.models import (
    ActivitySession,
    Language,
    Location,
    Municipality,
    OpeningPeriod,
    Organisation,
    Service,
)

MAX_BYTES = 200 * 1024 * 1024
# Not in an HSDS document (the summary is derived for new services only): an update keeps ours.
KEPT_ON_UPDATE = {"summary"}


class DryRun(Exception):
    pass


def documents_in(path):
    """(label, document) for every record in a JSON or ndjson file, or a folder of them."""
    path = Path(path)
    files = (
        sorted(p for p in path.iterdir() if p.suffix in (".json", ".ndjson"))
        if path.is_dir()
        else [path]
    )
    for file in files:
        if file.stat().st_size > MAX_BYTES:
            raise CommandError(f"{file}: groter dan {MAX_BYTES // 1024 // 1024} MB")
        text = file.read_text(encoding="utf-8")
        stripped = text.lstrip()
        if stripped.startswith("[") or (stripped.startswith("{") and file.suffix == ".json"):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as error:
                raise CommandError(f"{file}: geen geldige JSON ({error})") from None
            if isinstance(data, dict):
                data = data.get("contents", [data])  # a Page envelope, or one service
            for number, document in enumerate(data, start=1):
                yield f"{file.name}#{number}", document
        else:
            for number, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    try:
                        yield f"{file.name}:{number}", json.loads(line)
                    except json.JSONDecodeError as error:
                        yield f"{file.name}:{number}", ValueError(f"geen geldige JSON ({error})")


def _organisation(data):
    organisation = Organisation.objects.filter(uuid=data["uuid"]).first()
    if organisation is None:
        organisation = Organisation(
            uuid=data["uuid"],
            **{k: data[k] for k in ("name", "description", "email", "website", "phone")},
        )
        organisation.full_clean()
        organisation.save()
    return organisation


def _term(taxonomy, term_uuid, code, name, description):
    model = taxonomy.model
    term = model.objects.filter(uuid=term_uuid).first() or (
        model.objects.filter(slug=code).first() if code else None
    )
    if term is None:
        term = model(uuid=term_uuid, name=name, slug=code, description=description)
        term.full_clean(exclude=[] if code else ["slug"])
        term.save()
    return term


def _language(code, name):
    language = Language.objects.filter(code=code).first()
    if language is None:
        language = Language(code=code, name=name or code)
        language.full_clean(exclude=["slug"])
        language.save()
    return language


def _municipality(code, name):
    found = (Municipality.objects.filter(cbs_code=code).first() if code else None) or (
        Municipality.objects.filter(name=name).first()
    )
    if found is None:
        found = Municipality(name=name, cbs_code=code)
        found.full_clean(exclude=["slug"])
        found.save()
    return found


def _snapshot_data(service, record, m2m, existing_locations):
    """The record as a snapshot (services.snapshots) of this service."""
    base = snapshots.snapshot(service)
    fields = dict(base["fields"])
    for name, value in record["fields"].items():
        if name in KEPT_ON_UPDATE:
            continue
        if name == "phone" and hsds.phone_number(fields["phone"])[0] == value:
            continue  # the same number, written as we store it
        fields[name] = snapshots._json(value)
    fields["organisation"] = m2m["organisation"].pk
    locations = []
    for item in record["locations"]:
        existing = existing_locations.get(item["uuid"])
        municipality = Municipality.objects.filter(name=item["municipality"]).first()
        location = {
            "id": existing.pk if existing else None,
            **{k: item[k] for k in snapshots.LOCATION_FIELDS if k != "municipality"},
            "municipality": municipality.pk if municipality else None,
            "hours": [[d, o, c] for d, o, c in item["hours"]],
        }
        locations.append(snapshots._json(location))
    return {
        "fields": fields,
        "m2m": {name: sorted(obj.pk for obj in m2m[name]) for name in snapshots.M2M},
        "locations": locations,
    }


def import_record(record):
    """Write one read record; returns what happened ("new", "proposal", "updated", "same")."""
    organisation = _organisation(record["organisation"])
    m2m = {
        "organisation": organisation,
        "languages": [_language(code, name) for code, name in record["languages"]],
        "municipalities": [_municipality(c, n) for c, n in record["municipalities"]],
    }
    for taxonomy in hsds.TAXONOMIES:
        if taxonomy.model is not None:
            m2m[taxonomy.relation] = [_term(taxonomy, *t) for t in record["terms"][taxonomy.key]]
    service = Service.objects.filter(uuid=record["uuid"]).first()
    location_ids = [item["uuid"] for item in record["locations"]]
    taken = Location.objects.filter(uuid__in=location_ids)
    if service is not None:
        taken = taken.exclude(service=service)
    if taken.exists():
        raise hsds.FeedError("service_at_locations: een locatie hoort al bij een andere dienst")
    verifier = None
    if record["assurer_email"]:
        users = get_user_model().objects.filter(email__iexact=record["assurer_email"])
        verifier = users.first() if users.count() == 1 else None
    if service is None:
        return _create(record, organisation, m2m, verifier)
    existing = {loc.uuid: loc for loc in Location.objects.filter(service=service)}
    data = _snapshot_data(service, record, m2m, existing)
    base = snapshots.snapshot(service)
    if not snapshots.changed_keys(base, data):
        return "same"
    if actions.is_live(service):
        # Validate now, write later: the curator decides on the proposal as a whole.
        with transaction.atomic():
            snapshots.apply_snapshot(Service.objects.get(pk=service.pk), data)
            transaction.set_rollback(True)
        actions.service_propose_change(service=service, data=data, base=base)
        return "proposal"
    snapshots.apply_snapshot(service, data)
    _keep_location_uuids(service, record)
    service.sessions.all().delete()
    _write_sessions(service, record)
    actions.version_record(service=service, user=None, source=actions.Source.IMPORT, before=base)
    return "updated"


def _create(record, organisation, m2m, verifier):
    service = Service(
        uuid=record["uuid"],
        organisation=organisation,
        status=Service.Status.DRAFT,
        verified_by=verifier,
        **record["fields"],
    )
    if record["verified_on"]:
        service.verified_at = hsds.noon(record["verified_on"])
    service.full_clean()
    service.clean_relations(
        municipalities=m2m["municipalities"], target_groups=m2m["target_groups"]
    )
    service.save()
    for name in snapshots.M2M:
        getattr(service, name).set(m2m[name])
    for item in record["locations"]:
        location = Location(
            service=service,
            uuid=item["uuid"],
            municipality=Municipality.objects.filter(name=item["municipality"]).first(),
            **{k: item[k] for k in snapshots.LOCATION_FIELDS if k != "municipality"},
        )
        location.full_clean()
        location.save()
        for weekday, opens, closes in item["hours"]:
            period = OpeningPeriod(location=location, weekday=weekday, opens=opens, closes=closes)
            period.full_clean()
            period.save()
    _write_sessions(service, record)
    service.refresh_search_extra()
    actions.service_submit(service=service, user=None)
    return "new"


def _write_sessions(service, record):
    """The feed's schedules as the service's sessions (validated like the admin)."""
    for fields in record.get("sessions", []):
        session = ActivitySession(service=service, **fields)
        try:
            session.full_clean()
        except ValidationError as error:
            raise hsds.FeedError(f"schedules: {'; '.join(error.messages)}") from None
        session.save()


def _keep_location_uuids(service, record):
    """Locations new to a service keep the feed's UUIDs (apply_snapshot makes random ones)."""
    wanted = [item["uuid"] for item in record["locations"]]
    known = set(
        Location.objects.filter(service=service, uuid__in=wanted).values_list("uuid", flat=True)
    )
    fresh = Location.objects.filter(service=service).exclude(uuid__in=wanted).order_by("pk")
    for location, value in zip(fresh, [w for w in wanted if w not in known], strict=False):
        Location.objects.filter(pk=location.pk).update(uuid=value)


def _messages(error):
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [f"{field}: {m}" for field, items in error.message_dict.items() for m in items]
        return list(error.messages)
    return [str(error)]


class Command(BaseCommand):
    help = (
        "Import an HSDS 3.0 feed (JSON list, Page envelope or ndjson; a file or a folder) into "
        "services for review. Matches on UUID. Writes nothing if any record has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A .json or .ndjson file, or a folder of them.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything, write nothing."
        )

    def handle(self, *args, path, dry_run=False, **options):
        if not Path(path).exists():
            raise CommandError(f"{path}: bestaat niet")
        errors, outcomes, seen = [], {}, set()
        try:
            with transaction.atomic():
                for label, document in documents_in(path):
                    try:
                        if isinstance(document, Exception):
                            raise document
                        record = hsds.read_service(document)
                        if record["uuid"] in seen:
                            raise hsds.FeedError("id: komt twee keer voor in de feed")
                        seen.add(record["uuid"])
                        with transaction.atomic():
                            outcome = import_record(record)
                        outcomes[outcome] = outcomes.get(outcome, 0) + 1
                    except (ValueError, ValidationError) as error:
                        name = document.get("name", "") if isinstance(document, dict) else ""
                        for message in _messages(error):
                            errors.append(f"{label} {str(name)[:60]!r}: {message}")
                if errors or dry_run:
                    raise DryRun
        except DryRun:
            pass
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        if errors:
            for line in errors:
                self.stderr.write(line)
            raise CommandError(f"{len(errors)} fout(en); niets geïmporteerd. ({summary or 'leeg'})")
        verb = "zou importeren" if dry_run else "geïmporteerd"
        self.stdout.write(f"{sum(outcomes.values())} diensten {verb}: {summary or 'geen'}.")
