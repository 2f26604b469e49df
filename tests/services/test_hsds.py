import json
from datetime import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from services import hsds
from services.models import Location, OpeningPeriod, Service
from tests.factories import (
    make_language,
    make_municipality,
    make_service,
    make_support_type,
    make_theme,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_service():
    """A service with every field filled, so the export must carry every value."""
    verifier = make_user("curator", email="curator@example.org")
    service = make_service(
        "Taalcafé De Brug",
        alternate_name="Taalcafe",
        municipalities=[make_municipality("Voorbeeldstad", cbs_code="GM9999")],
        support_types=[make_support_type("Ontmoeten", slug="meeting")],
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


def test_every_filled_field_is_exported(full_service):
    data = hsds.service_object(hsds.export_queryset().get(pk=full_service.pk))
    flat = json.dumps(data, ensure_ascii=False)
    skip = {
        "id",
        "slug",
        "created",
        "modified",
        "verified_at",
        "verified_by",
        "status",
        "organisation",
        "search_name",
        "search_summary",
        "search_body",
        "search_extra",
        "search_vector",
    }
    for field in Service._meta.concrete_fields:
        if field.name in skip:
            continue
        value = getattr(full_service, field.name)
        if value in (None, "", False):
            continue
        if isinstance(value, bool):
            assert f'"value": "{field.name}"' in flat, field.name
        elif field.choices:
            assert f'"value": "{value}"' in flat, field.name
        else:
            assert str(value).replace(".00", "") in flat or str(float(value)) in flat, field.name
    assert data["status"] == "active"
    assert data["assurer_email"] == "curator@example.org"
    assert data["service_areas"] == [
        {
            "id": hsds.hsds_id("area", full_service.municipalities.get().pk),
            "name": "Voorbeeldstad",
            "extent": "GM9999",
        }
    ]
    schedule = data["service_at_locations"][0]["location"]["schedules"][0]
    assert (schedule["byday"], schedule["opens_at"], schedule["closes_at"]) == (
        "TU",
        "10:00",
        "12:00",
    )
    codes = {a["taxonomy_term"]["code"] for a in data["attributes"]}
    assert {"meeting", "taal", "group", "online", "referral_required"} <= codes


def test_ids_are_stable_uuids(full_service):
    first = hsds.service_object(full_service)["id"]
    assert first == hsds.service_object(Service.objects.get(pk=full_service.pk))["id"]
    assert len(first) == 36


def test_export_command_writes_published_services(full_service, django_assert_max_num_queries):
    make_service("Nog een concept", status=Service.Status.DRAFT)
    out = StringIO()
    with django_assert_max_num_queries(12):
        call_command("export_hsds", stdout=out)
    data = json.loads(out.getvalue())
    assert [item["name"] for item in data] == ["Taalcafé De Brug"]
