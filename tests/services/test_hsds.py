import datetime
import json
from datetime import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services import hsds
from services.models import Location, OpeningPeriod, Service
from tests.factories import (
    make_language,
    make_municipality,
    make_organisation,
    make_service,
    make_support_type,
    make_target_group,
    make_theme,
    make_user,
)
from tests.hsds_schemas import ALL_MODES, MODES, errors

pytestmark = pytest.mark.django_db

WINTER = datetime.datetime(2026, 1, 14, 12, tzinfo=datetime.UTC)
SUMMER = datetime.datetime(2026, 7, 15, 12, tzinfo=datetime.UTC)


@pytest.fixture
def full_service():
    """A service with every field filled, so the export must carry every value."""
    verifier = make_user("curator", email="curator@example.org")
    service = make_service(
        "Taalcafé De Brug",
        alternate_name="Taalcafe",
        municipalities=[make_municipality("Voorbeeldstad", cbs_code="GM9999")],
        support_types=[make_support_type("Ontmoeten", slug="ontmoeten")],
        themes=[make_theme("Taal", slug="taal")],
        languages=[make_language("Arabisch", code="ar")],
        essence="Samen Nederlands oefenen.",
        email="taal@example.org",
        url="https://taal.example.org",
        how_to_apply="Kom langs.",
        wait_time="Geen",
        cost=Service.Cost.PAID,
        cost_amount=2,
        cost_unit=Service.CostUnit.PER_TIME,
        cost_text="Twee euro per keer.",
        min_age=16,
        max_age=99,
        referral_required=True,
        low_income_only=True,
        conditions="U spreekt een beetje Nederlands.",
        alert="Vol tot maart.",
        format=Service.Format.GROUP,
        online=True,
        organisation=make_organisation(
            "Bibliotheek", email="info@bieb.example.org", phone="020 123 45 67"
        ),
    )
    service.verified_at = timezone.now()
    service.verified_by = verifier
    service.save()
    location = Location.objects.create(
        service=service,
        name="Bibliotheek",
        address="Dorpsstraat 1",
        postcode="1234 AB",
        place="Voorbeeldstad",
        latitude=52.1,
        longitude=5.1,
        wheelchair_accessible=True,
        accessibility="Lift aanwezig",
        hours_note="Niet in de zomer",
    )
    OpeningPeriod.objects.create(location=location, weekday=2, opens=time(10), closes=time(12))
    return service


def document(service, now=None):
    return hsds.service_object(hsds.export_queryset().get(pk=service.pk), now=now)


def walk(node, path=""):
    """(path, key, value) for every key of every object in a document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for value in node:
            yield from walk(value, path)


def test_full_service_validates_in_every_mode(full_service):
    data = document(full_service)
    for schema_set, strict in MODES:
        assert errors(data, "service", schema_set, strict) == [], (schema_set, strict)


def test_bare_national_service_validates_in_every_mode():
    service = make_service(
        "Landelijke lijn",
        essence="",
        phone="",
        url="https://lijn.example.org",
        status=Service.Status.ARCHIVED,
    )
    data = document(service)
    for schema_set, strict in MODES:
        assert errors(data, "service", schema_set, strict) == [], (schema_set, strict)


def test_optional_fields_without_a_value_are_left_out(full_service):
    bare = make_service(
        "Kaal", essence="", phone="", url="https://kaal.example.org", status=Service.Status.ARCHIVED
    )
    # Required by HSDS, so present even when empty.
    required_strings = {"description", "state_province", "previous_value"}
    for data in (document(full_service), document(bare)):
        for path, key, value in walk(data):
            assert value is not None, f"{path}/{key}"
            assert value != [], f"{path}/{key}"
            if value == "":
                assert key in required_strings, f"{path}/{key}"


def test_every_filled_field_is_exported(full_service):
    data = document(full_service)
    assert data["alternate_name"] == "Taalcafe"
    assert data["description"] == "Samen Nederlands oefenen."
    assert (data["email"], data["url"]) == ("taal@example.org", "https://taal.example.org")
    assert data["application_process"] == "Kom langs."
    assert data["wait_time"] == "Geen"
    assert data["fees_description"] == "Twee euro per keer."
    assert data["eligibility_description"] == (
        "Verwijzing of indicatie nodig. Alleen bij een laag inkomen. "
        "U spreekt een beetje Nederlands."
    )
    assert (data["minimum_age"], data["maximum_age"]) == (16, 99)
    assert data["alert"] == "Vol tot maart."
    # The curator who checked it (curator@example.org) is never named; no team address is set.
    assert "assurer_email" not in data
    assert "curator@example.org" not in json.dumps(data)
    assert data["assured_date"] == timezone.localdate().isoformat()
    assert data["cost_options"][0] | {"id": None, "service_id": None} == {
        "id": None,
        "service_id": None,
        "option": "Betaald",
        "amount": 2.0,
        "currency": "EUR",
        "amount_description": "per keer",
    }
    assert [lang["code"] for lang in data["languages"]] == ["ar"]
    location = data["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (52.1, 5.1)
    address = location["addresses"][0]
    assert (address["address_1"], address["postal_code"], address["city"]) == (
        "Dorpsstraat 1",
        "1234 AB",
        "Voorbeeldstad",
    )
    assert [a["description"] for a in location["accessibility"]] == [
        "Lift aanwezig",
        "Toegankelijk met een rolstoel.",
    ]
    assert location["schedules"][0]["notes"] == "Niet in de zomer"
    codes = {a["taxonomy_term"]["code"] for a in data["attributes"]}
    assert {
        "ontmoeten",
        "taal",
        "format:group",
        "frequency:recurring",
        "cost:paid",
        "cost_unit:per_time",
        "flag:online",
        "provided_by:volunteers",
        "flag:out_of_home",
        "flag:referral_required",
        "flag:low_income_only",
    } <= codes
    assert "flag:at_home" not in codes
    assert "format:individual" not in codes


def test_attributes_link_terms_of_four_taxonomies_with_a_link_type(full_service):
    data = document(full_service)
    by_taxonomy = {}
    for attribute in data["attributes"]:
        assert attribute["link_id"] == data["id"]
        assert attribute["taxonomy_term_id"] == attribute["taxonomy_term"]["id"]
        by_taxonomy.setdefault(attribute["taxonomy_term"]["taxonomy_id"], set()).add(
            attribute["link_type"]
        )
    expected = {t.id: {t.link_type} for t in hsds.TAXONOMIES}
    assert by_taxonomy == expected


def test_ids_are_uuids_unique_within_a_document(full_service):
    data = document(full_service)
    ids = [value for _path, key, value in walk(data) if key == "id"]
    own = [v for v in ids if v not in {a["taxonomy_term"]["id"] for a in data["attributes"]}]
    assert len(own) == len(set(own)), "an id is used for two objects"
    other = document(make_service("Andere dienst", organisation=full_service.organisation))
    shared = set(own) & {value for _p, key, value in walk(other) if key == "id"}
    # Two services of one organisation share only the organisation and its phone.
    assert shared == {data["organization"]["id"], data["organization"]["phones"][0]["id"]}


def test_ids_stay_the_same_across_edits_and_exports(full_service):
    first = document(full_service)
    full_service.name = "Taalcafé De Nieuwe Brug"
    full_service.save()
    second = document(full_service)
    assert first["id"] == second["id"]
    assert [a["id"] for a in first["attributes"]] == [a["id"] for a in second["attributes"]]


def test_local_service_areas_name_the_municipality_and_its_cbs_code(full_service):
    (area,) = document(full_service)["service_areas"]
    assert area["name"] == "Voorbeeldstad"
    assert area["uri"] == "https://identifier.overheid.nl/tooi/id/gemeente/gm9999"
    assert "GM9999" in area["description"]
    assert "extent" not in area and "extent_type" not in area


def test_national_service_area_is_the_netherlands():
    (area,) = document(make_service("Landelijk"))["service_areas"]
    assert area["name"] == "Nederland"


def test_schedules_carry_the_amsterdam_offset_of_winter_and_summer(full_service):
    winter = document(full_service, now=WINTER)["service_at_locations"][0]["location"]
    summer = document(full_service, now=SUMMER)["service_at_locations"][0]["location"]
    assert (winter["schedules"][0]["opens_at"], winter["schedules"][0]["closes_at"]) == (
        "10:00+01:00",
        "12:00+01:00",
    )
    assert summer["schedules"][0]["opens_at"] == "10:00+02:00"
    assert (winter["schedules"][0]["timezone"], summer["schedules"][0]["timezone"]) == (1, 2)
    assert winter["schedules"][0]["byday"] == "TU"


@pytest.mark.parametrize(
    ("written", "number", "note"),
    [
        ("020 123 45 67", "+31201234567", None),
        ("0800-0123", "+318000123", None),
        ("+44 20 7946 0000", "+442079460000", None),
        ("14 020", "14 020", hsds.NL_ONLY_TEXT),
    ],
)
def test_phones_are_e164_unless_only_dialable_in_the_netherlands(written, number, note):
    phone = hsds.phone_object(hsds.vocabulary_id("x"), written)
    assert phone["number"] == number
    assert phone.get("description") == note


def test_closed_and_ended_services_are_in_the_feed_with_their_status():
    make_service("Open")
    make_service("Dicht", status=Service.Status.TEMPORARILY_CLOSED)
    make_service("Gestopt", status=Service.Status.ARCHIVED)
    make_service("Concept", status=Service.Status.DRAFT)
    make_service("In beoordeling", status=Service.Status.IN_REVIEW)
    feed = {s.name: hsds.service_object(s)["status"] for s in hsds.feed_queryset()}
    assert feed == {"Open": "active", "Dicht": "temporarily closed", "Gestopt": "defunct"}


def test_export_command_writes_the_feed_in_a_fixed_number_of_queries(
    full_service, django_assert_max_num_queries
):
    make_service("Nog een concept", status=Service.Status.DRAFT)
    for n in range(5):
        make_service(f"Extra {n}", themes=[make_theme()])
    out = StringIO()
    with django_assert_max_num_queries(12):
        call_command("export_hsds", stdout=out)
    data = json.loads(out.getvalue())
    assert "Nog een concept" not in [item["name"] for item in data]
    assert len(data) == 6
    assert all(errors(item) == [] for item in data)


def test_export_command_writes_ndjson(full_service):
    out = StringIO()
    call_command("export_hsds", "--format", "ndjson", stdout=out)
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["Taalcafé De Brug"]


def test_taxonomy_and_term_objects_validate(full_service):
    for taxonomy in hsds.TAXONOMIES:
        for schema_set, strict in ALL_MODES:
            assert errors(hsds.taxonomy_object(taxonomy), "taxonomy", schema_set, strict) == []
    for attribute in document(full_service)["attributes"]:
        for schema_set, strict in MODES:
            found = errors(attribute["taxonomy_term"], "taxonomy_term", schema_set, strict)
            assert found == []


hostile_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=40
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=hostile_text.filter(lambda s: s.strip()),
    essence=hostile_text,
    conditions=hostile_text,
    min_age=st.none() | st.integers(0, 60),
    cost=st.sampled_from(Service.Cost.values),
    status=st.sampled_from(
        [Service.Status.PUBLISHED, Service.Status.TEMPORARILY_CLOSED, Service.Status.ARCHIVED]
    ),
    hours=st.lists(
        st.tuples(st.integers(1, 7), st.integers(0, 22)), max_size=3, unique_by=lambda t: t[0]
    ),
)
def test_any_valid_service_validates_in_every_mode(
    name, essence, conditions, min_age, cost, status, hours
):
    service = make_service(
        name,
        summary="Samenvatting.",
        essence=essence if essence.strip() else "Iets.",
        conditions=conditions,
        min_age=min_age,
        cost=cost,
        cost_amount=3 if cost == Service.Cost.PAID else None,
        status=status,
        target_groups=[make_target_group(description="")],
    )
    location = Location.objects.create(service=service, name=name[:200])
    for weekday, hour in hours:
        OpeningPeriod.objects.create(
            location=location, weekday=weekday, opens=time(hour), closes=time(hour + 1)
        )
    data = document(service)
    for schema_set, strict in MODES:
        assert errors(data, "service", schema_set, strict) == [], (schema_set, strict)


def _changes(service):
    location = service.locations.get()
    term = service.support_types.get()
    municipality = service.municipalities.get()
    return {
        "location": lambda: Location.objects.filter(pk=location.pk).get().save(),
        "new hours": lambda: OpeningPeriod.objects.create(
            location=location, weekday=5, opens=time(9), closes=time(10)
        ),
        "hours removed": lambda: location.opening_periods.first().delete(),
        "term renamed": lambda: (setattr(term, "name", "Samen zijn"), term.save()),
        "term added": lambda: service.themes.add(make_theme()),
        "term removed": lambda: service.support_types.remove(term),
        "organisation": lambda: service.organisation.save(),
        "municipality renamed": lambda: (
            setattr(municipality, "name", "Nieuwstad"),
            municipality.save(),
        ),
        "language deleted": lambda: service.languages.get().delete(),
    }


@pytest.mark.parametrize(
    "change",
    [
        "location",
        "new hours",
        "hours removed",
        "term renamed",
        "term added",
        "term removed",
        "organisation",
        "municipality renamed",
        "language deleted",
    ],
)
def test_last_modified_moves_when_anything_in_the_document_changes(full_service, change):
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Service.objects.filter(pk=full_service.pk).update(modified=long_ago)
    before = document(full_service)
    _changes(full_service)[change]()
    after = document(full_service)
    assert after["last_modified"] > before["last_modified"]


def test_last_modified_stays_when_nothing_in_the_document_changes(full_service):
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Service.objects.filter(pk=full_service.pk).update(modified=long_ago)
    before = document(full_service)
    make_service("Een andere dienst")
    assert document(full_service)["last_modified"] == before["last_modified"]


def test_stored_uuids_are_random_per_row_and_survive_edits(full_service):
    other = make_service("Tweede")
    assert full_service.uuid != other.uuid
    assert full_service.organisation.uuid != other.organisation.uuid
    kept = full_service.uuid
    full_service.name = "Nieuwe naam"
    full_service.save()
    full_service.refresh_from_db()
    assert full_service.uuid == kept


def test_assurer_email_is_the_team_address_when_one_is_set(full_service, settings):
    settings.HSDS_ASSURER_EMAIL = "kaartteam@gemeente.example.org"
    assert document(full_service)["assurer_email"] == "kaartteam@gemeente.example.org"
    full_service.verified_at = None
    full_service.save()
    assert "assurer_email" not in document(full_service)
