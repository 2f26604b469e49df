"""Every change path leaves a version: who, when, where from, which fields, old and new."""

import datetime

import pytest
from django.urls import reverse

from services import actions
from services.models import Location, OpeningPeriod, Service, ServiceVersion
from tests.services.curation_fixtures import build_world, change_url, form_data, reload

pytestmark = pytest.mark.django_db
Source = ServiceVersion.Source


@pytest.fixture
def world():
    return build_world()


def latest(service):
    return service.versions.first()


def fields_of(version):
    return {change["field"]: (change["old"], change["new"]) for change in version.changes}


def test_admin_edit_records_who_what_old_and_new(client, world):
    old = world.neighbour.summary
    client.force_login(world.curator)
    data = form_data(client.get(change_url(world.neighbour)), summary="Nieuwe samenvatting.")
    client.post(change_url(world.neighbour), data)
    version = latest(world.neighbour)
    assert version.source == Source.ADMIN
    assert version.user == world.curator
    assert fields_of(version) == {"summary": (old, "Nieuwe samenvatting.")}
    # The state before history started is kept, so it can be restored.
    assert world.neighbour.versions.filter(source=Source.INITIAL).count() == 1


def test_location_inline_and_hours_changes_are_recorded(client, world):
    location = Location.objects.create(service=world.neighbour, name="Buurthuis", place="Oud")
    client.force_login(world.curator)
    data = form_data(client.get(change_url(world.neighbour)))
    data["locations-0-place"] = "Nieuw"
    client.post(change_url(world.neighbour), data)
    assert "Nieuw" in fields_of(latest(world.neighbour))[f"location:{location.pk}"][1]

    url = reverse("admin:services_location_change", args=[location.pk])
    data = form_data(client.get(url))
    data.update(
        {
            "opening_periods-TOTAL_FORMS": "1",
            "opening_periods-0-weekday": "2",
            "opening_periods-0-opens": "09:00",
            "opening_periods-0-closes": "12:00",
        }
    )
    assert client.post(url, data).status_code == 302
    assert OpeningPeriod.objects.filter(location=location).count() == 1
    old, new = fields_of(latest(world.neighbour))[f"location:{location.pk}"]
    assert "dinsdag 09:00–12:00" in new and "dinsdag" not in old


def test_bulk_admin_action_records_a_version_per_service(client, world):
    Service.objects.filter(pk__in=[world.ours.pk, world.neighbour.pk]).update(
        status=Service.Status.DRAFT
    )
    client.force_login(world.curator)
    client.post(
        reverse("admin:services_service_changelist"),
        {
            "action": "publish",
            "_selected_action": [world.ours.pk, world.neighbour.pk],
            "index": 0,
        },
    )
    for service in (world.ours, world.neighbour):
        version = latest(service)
        assert version.source == Source.BULK
        assert version.user == world.curator
        assert fields_of(version)["status"] == ("Concept", "Gepubliceerd")


def test_bulk_verification_is_recorded(client, world):
    client.force_login(world.curator)
    client.post(
        reverse("admin:services_service_changelist"),
        {"action": "mark_verified", "_selected_action": [world.neighbour.pk], "index": 0},
    )
    version = latest(world.neighbour)
    assert version.source == Source.VERIFICATION
    assert "verified_at" in fields_of(version)


def test_approval_is_recorded_with_the_curator(world):
    from services import snapshots

    data = snapshots.snapshot(world.ours)
    data["fields"]["wait_time"] = "Twee weken"
    proposal = actions.service_propose_change(service=world.ours, data=data, user=world.partner)
    actions.proposal_approve(proposal=proposal, user=world.curator)
    version = latest(world.ours)
    assert version.source == Source.REVIEW
    assert version.user == world.curator
    assert fields_of(version) == {"wait_time": ("—", "Twee weken")}


def test_history_page_lists_changes_and_curator_restores_an_earlier_version(client, world):
    old = world.neighbour.summary
    client.force_login(world.curator)
    data = form_data(client.get(change_url(world.neighbour)), summary="Verkeerd.")
    client.post(change_url(world.neighbour), data)
    history = reverse("admin:services_service_history", args=[world.neighbour.pk])
    page = client.get(history)
    assert page.status_code == 200
    assert "Verkeerd." in page.content.decode()
    initial = world.neighbour.versions.get(source=Source.INITIAL)
    restore = reverse("admin:services_service_restore", args=[world.neighbour.pk, initial.pk])
    assert client.post(restore).status_code == 302
    assert reload(world.neighbour).summary == old
    assert latest(world.neighbour).source == Source.RESTORE


def test_partner_sees_own_history_but_cannot_restore(client, world):
    actions.service_verify(service=world.ours, user=world.curator)
    version = world.ours.versions.get(source=Source.INITIAL)
    client.force_login(world.partner)
    history = reverse("admin:services_service_history", args=[world.ours.pk])
    assert client.get(history).status_code == 200
    restore = reverse("admin:services_service_restore", args=[world.ours.pk, version.pk])
    assert client.post(restore).status_code == 403
    other = reverse("admin:services_service_history", args=[world.neighbour.pk])
    assert client.get(other).status_code == 404


def test_restore_does_not_touch_status_or_verification(world):
    actions.service_set_status(service=world.neighbour, user=world.curator, status="archived")
    first = world.neighbour.versions.get(source=Source.INITIAL)
    actions.version_restore(version=first, user=world.curator)
    assert reload(world.neighbour).status == Service.Status.ARCHIVED


def test_nothing_changed_records_nothing(world):
    actions.version_record(service=world.ours, user=None, source=Source.OTHER)
    count = world.ours.versions.count()
    assert actions.version_record(service=world.ours, user=None, source=Source.OTHER) is None
    assert world.ours.versions.count() == count


def test_versions_are_ordered_newest_first(world):
    actions.service_verify(service=world.ours, user=world.curator)
    ServiceVersion.objects.filter(source=Source.INITIAL).update(
        created=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    assert latest(world.ours).source == Source.VERIFICATION
