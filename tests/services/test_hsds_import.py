import io
import json
from datetime import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services import actions, hsds
from services.models import (
    Language,
    Location,
    Municipality,
    OpeningPeriod,
    Organisation,
    ProposedChange,
    Service,
    SupportType,
    TargetGroup,
    Theme,
)
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
from tests.hsds_schemas import errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return make_user("landelijk", email="curator@example.org", is_superuser=True, is_staff=True)


@pytest.fixture
def catalogue(curator):
    town = make_municipality("Voorbeeldstad", cbs_code="GM9999")
    older = make_target_group("Ouderen", slug="ouderen", description="Mensen van 75 jaar en ouder.")
    library = make_organisation(
        "Bibliotheek", description="De bieb.", email="info@bieb.example.org", phone="020 123 45 67"
    )
    cafe = make_service(
        "Taalcafé De Brug",
        organisation=library,
        alternate_name="Taalcafe",
        municipalities=[town],
        target_groups=[older],
        support_types=[make_support_type("Ontmoeten", slug="ontmoeten")],
        themes=[make_theme("Taal", slug="taal")],
        # Listed first by position, last by code: the feed's order must not depend on it.
        languages=[
            make_language("Turks", code="tr"),
            make_language("Arabisch", code="ar", position=9),
        ],
        essence="Samen Nederlands oefenen. Elke week.",
        email="taal@example.org",
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
        format=Service.Format.BOTH,
        provided_by=Service.ProvidedBy.BOTH,
        online=True,
    )
    actions.service_verify(service=cafe, user=curator)
    room = Location.objects.create(
        service=cafe,
        name="Bibliotheek",
        address="Dorpsstraat 1",
        postcode="1234 AB",
        place="Voorbeeldstad",
        municipality=town,
        latitude=52.1,
        longitude=5.1,
        wheelchair_accessible=True,
        accessibility="Lift aanwezig",
        hours_note="Niet in de zomer",
    )
    OpeningPeriod.objects.create(location=room, weekday=2, opens=time(10), closes=time(12))
    OpeningPeriod.objects.create(location=room, weekday=4, opens=time(19), closes=time(21, 30))
    make_service(
        "Luisterlijn",
        phone="14 020",
        target_groups=[older],
        by_phone=True,
        provided_by=Service.ProvidedBy.UNKNOWN,
    )
    make_service("Koffie", status=Service.Status.TEMPORARILY_CLOSED, target_groups=[older])
    make_service("Oude club", status=Service.Status.ARCHIVED, target_groups=[older])
    return cafe


def export(tmp_path, name="feed.json", *args):
    target = tmp_path / name
    call_command("export_hsds", "--output", str(target), *args)
    return target


def empty_the_catalogue():
    """Everything the feed describes goes; user accounts stay (they are not in a feed)."""
    Service.objects.all().delete()
    for model in (Organisation, TargetGroup, SupportType, Theme, Language, Municipality):
        model.objects.all().delete()


def approve_all(documents, curator):
    """What a curator does with imported services: give each the status its feed had."""
    statuses = {d["id"]: hsds.FROM_STATUS[d["status"]] for d in documents}
    for service in Service.objects.all():
        actions.service_set_status(
            service=service, user=curator, status=statuses[str(service.uuid)]
        )


def without_moments(documents):
    return [{k: v for k, v in d.items() if k != "last_modified"} for d in documents]


def test_export_import_into_an_empty_database_export_gives_the_same_documents(
    tmp_path, catalogue, curator
):
    first = json.loads(export(tmp_path).read_text())
    assert len(first) == 4
    empty_the_catalogue()
    call_command("import_hsds", str(tmp_path / "feed.json"))
    assert set(Service.objects.values_list("status", flat=True)) == {Service.Status.IN_REVIEW}
    assert ProposedChange.objects.filter(kind=ProposedChange.Kind.NEW).count() == 4
    approve_all(first, curator)
    second = json.loads(export(tmp_path, "again.json").read_text())
    assert without_moments(second) == without_moments(first)
    assert all(errors(document) == [] for document in second)


def test_import_reads_ndjson_and_folders(tmp_path, catalogue, curator):
    folder = tmp_path / "feeds"
    folder.mkdir()
    export(folder, "feed.ndjson", "--format", "ndjson")
    empty_the_catalogue()
    call_command("import_hsds", str(folder))
    assert Service.objects.count() == 4


def test_dry_run_checks_everything_and_writes_nothing(tmp_path, catalogue):
    feed = export(tmp_path)
    empty_the_catalogue()
    out = call_command("import_hsds", str(feed), "--dry-run")
    assert Service.objects.count() == 0
    assert Organisation.objects.count() == 0
    assert out is None


def test_one_bad_record_writes_nothing_and_names_each_error(tmp_path, catalogue, capsys):
    documents = json.loads(export(tmp_path).read_text())
    documents[1]["status"] = "open"
    documents[2]["minimum_age"] = "twaalf"
    documents[3]["id"] = "geen-uuid"
    feed = tmp_path / "bad.json"
    feed.write_text(json.dumps(documents))
    empty_the_catalogue()
    with pytest.raises(CommandError, match="3 fout"):
        call_command("import_hsds", str(feed))
    err = capsys.readouterr().err
    assert "bad.json#2" in err and "status" in err
    assert "bad.json#3" in err and "minimum_age" in err
    assert "bad.json#4" in err and "id" in err
    assert Service.objects.count() == 0


def test_known_live_service_gets_a_proposal_not_a_direct_change(tmp_path, catalogue):
    documents = json.loads(export(tmp_path).read_text())
    cafe = next(d for d in documents if d["name"] == "Taalcafé De Brug")
    cafe["description"] = "Samen Nederlands oefenen, nu ook op zaterdag."
    feed = tmp_path / "changed.json"
    feed.write_text(json.dumps([cafe]))
    call_command("import_hsds", str(feed))
    catalogue.refresh_from_db()
    assert catalogue.essence == "Samen Nederlands oefenen. Elke week."
    proposal = catalogue.proposed_changes.pending().get()
    assert proposal.data["fields"]["essence"] == "Samen Nederlands oefenen, nu ook op zaterdag."


def test_importing_the_same_feed_again_changes_nothing(tmp_path, catalogue):
    feed = export(tmp_path)
    before = timezone.now()
    call_command("import_hsds", str(feed))
    assert not ProposedChange.objects.filter(created__gte=before).exists()


def test_a_foreign_feed_with_only_the_required_fields_goes_to_review(tmp_path):
    make_target_group("Iedereen", slug="iedereen")
    feed = tmp_path / "buren.json"
    feed.write_text(
        json.dumps(
            {
                "contents": [
                    {
                        "id": "0b7a6f39-8c1c-4d6f-a3e0-1f1e7d2a9c55",
                        "organization_id": "9e0d4c1a-5b2f-4e8a-8f43-6a2d1c3b4e5f",
                        "name": "Buurtkamer",
                        "status": "active",
                        "description": "Een plek om elkaar te ontmoeten. Koffie staat klaar.",
                        "url": "https://buurtkamer.example.org",
                    }
                ]
            }
        )
    )
    call_command("import_hsds", str(feed))
    service = Service.objects.get()
    assert service.status == Service.Status.IN_REVIEW
    assert service.summary == "Een plek om elkaar te ontmoeten."
    assert service.scope == Service.Scope.NATIONAL
    assert service.organisation.name == "Buurtkamer"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
FIELDS = [
    "id", "name", "status", "organization", "organization_id", "description", "minimum_age",
    "maximum_age", "assured_date", "phones", "attributes", "service_areas", "languages",
    "service_at_locations", "cost_options", "eligibility_description", "url", "email",
]  # fmt: skip
BASE = {
    "id": "0b7a6f39-8c1c-4d6f-a3e0-1f1e7d2a9c55",
    "organization_id": "9e0d4c1a-5b2f-4e8a-8f43-6a2d1c3b4e5f",
    "name": "Buurtkamer",
    "status": "active",
}
# A valid minimal record with some fields replaced by anything JSON can hold, so the
# reading gets past the first checks and meets odd values deeper in.
records = st.builds(
    lambda extra: {**BASE, **extra},
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(document=records)
def test_reading_any_record_gives_a_record_or_a_feed_error(document):
    try:
        record = hsds.read_service(document)
    except hsds.FeedError as error:
        assert str(error)
    else:
        assert record["fields"]["name"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=records)
def test_importing_any_record_writes_it_or_names_the_error(tmp_path, document):
    feed = tmp_path / "any.json"
    feed.write_text(json.dumps([document]))
    try:
        call_command("import_hsds", str(feed), stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as error:
        assert "fout" in str(error)
        assert not Service.objects.filter(uuid=BASE["id"]).exists()
    else:
        Service.objects.filter(uuid=BASE["id"]).delete()
