"""The review queue: partners' edits wait, curators approve or reject, partners hear back."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from services import actions, snapshots
from services.models import ActivitySession, Location, ProposedChange, Service
from tests.services.curation_fixtures import build_world, change_url, form_data, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def propose_summary(client, world, summary="Nu ook op zaterdag."):
    client.force_login(world.partner)
    data = form_data(client.get(change_url(world.ours)), summary=summary)
    response = client.post(change_url(world.ours), data)
    assert response.status_code == 302
    return ProposedChange.objects.get(service=world.ours)


def review(client, user, proposal, **data):
    client.force_login(user)
    url = reverse("admin:services_proposedchange_change", args=[proposal.pk])
    return client.post(url, data)


def test_partner_edit_of_a_published_service_waits_and_the_public_sees_the_old_text(client, world):
    old = world.ours.summary
    proposal = propose_summary(client, world)
    assert proposal.state == ProposedChange.State.PENDING
    assert proposal.proposed_by == world.partner
    live = Service.objects.published().get(pk=world.ours.pk)
    assert live.summary == old


def test_second_partner_edit_replaces_the_pending_proposal(client, world):
    propose_summary(client, world, "Eerste voorstel.")
    propose_summary(client, world, "Tweede voorstel.")
    proposal = ProposedChange.objects.get(service=world.ours)
    assert proposal.data["fields"]["summary"] == "Tweede voorstel."


def test_review_page_shows_old_and_new_side_by_side(client, world):
    proposal = propose_summary(client, world)
    client.force_login(world.curator)
    response = client.get(reverse("admin:services_proposedchange_change", args=[proposal.pk]))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["field"], r["old"], r["new"]) for r in rows] == [
        ("summary", world.ours.summary, "Nu ook op zaterdag.")
    ]
    assert "Nu ook op zaterdag." in response.content.decode()


def test_curator_approves_and_partner_gets_an_email(client, world):
    proposal = propose_summary(client, world)
    response = review(client, world.curator, proposal, approve="1", reason="")
    assert response.status_code == 302
    assert reload(world.ours).summary == "Nu ook op zaterdag."
    proposal.refresh_from_db()
    assert proposal.state == ProposedChange.State.APPROVED
    assert proposal.decided_by == world.curator
    assert [m.to for m in mail.outbox] == [["partner@eigen.example"]]
    assert "goedgekeurd" in mail.outbox[0].subject


def test_curator_rejects_with_a_reason_that_the_partner_receives(client, world):
    old = world.ours.summary
    proposal = propose_summary(client, world)
    response = review(client, world.curator, proposal, reject="1", reason="Klopt niet.")
    assert response.status_code == 302
    assert reload(world.ours).summary == old
    proposal.refresh_from_db()
    assert proposal.state == ProposedChange.State.REJECTED
    assert "Klopt niet." in mail.outbox[0].body


def test_rejecting_without_a_reason_is_refused(client, world):
    proposal = propose_summary(client, world)
    response = review(client, world.curator, proposal, reject="1", reason="  ")
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    proposal.refresh_from_db()
    assert proposal.state == ProposedChange.State.PENDING
    assert not mail.outbox


def test_approval_keeps_a_curators_edit_made_in_the_meantime(client, world):
    proposal = propose_summary(client, world)
    Service.objects.filter(pk=world.ours.pk).update(alert="Tot maart vol.")
    review(client, world.curator, proposal, approve="1")
    service = reload(world.ours)
    assert service.summary == "Nu ook op zaterdag."
    assert service.alert == "Tot maart vol."


def test_invalid_proposal_cannot_be_approved_and_nothing_is_written(world):
    data = snapshots.snapshot(world.ours)
    data["fields"]["summary"] = ""  # a published service needs a summary
    proposal = actions.service_propose_change(service=world.ours, data=data, user=world.partner)
    with pytest.raises(Exception):  # noqa: B017
        actions.proposal_approve(proposal=proposal, user=world.curator)
    assert reload(world.ours).summary
    proposal.refresh_from_db()
    assert proposal.state == ProposedChange.State.PENDING


def test_new_service_from_partner_is_published_on_approval(client, world):
    service = Service.objects.create(
        organisation=world.own_org,
        name="Samen koken",
        summary="Koken en eten met buren.",
        essence="Elke week koken we samen.",
        phone="030 111 22 33",
        scope=Service.Scope.LOCAL,
        out_of_home=True,
    )
    service.municipalities.add(world.here)
    service.target_groups.add(*world.ours.target_groups.all())
    actions.service_submit(service=service, user=world.partner)
    assert not Service.objects.published().filter(pk=service.pk).exists()
    proposal = service.proposed_changes.get()
    review(client, world.curator, proposal, approve="1")
    assert Service.objects.published().filter(pk=service.pk).exists()


def test_rejected_new_service_goes_back_to_draft(client, world):
    service = Service.objects.create(
        organisation=world.own_org, name="Half", scope=Service.Scope.NATIONAL, out_of_home=True
    )
    proposal = actions.service_submit(service=service, user=world.partner)
    review(client, world.national_curator, proposal, reject="1", reason="Vul meer in.")
    assert reload(service).status == Service.Status.DRAFT


def test_partner_location_edit_of_a_live_service_waits_too(client, world):
    location = Location.objects.create(service=world.ours, name="Buurthuis", place="Hierdorp")
    client.force_login(world.partner)
    url = reverse("admin:services_location_change", args=[location.pk])
    data = form_data(client.get(url), place="Elders")
    assert client.post(url, data).status_code == 302
    location.refresh_from_db()
    assert location.place == "Hierdorp"
    proposal = ProposedChange.objects.get(service=world.ours)
    review(client, world.curator, proposal, approve="1")
    location.refresh_from_db()
    assert location.place == "Elders"


def test_partner_can_edit_a_draft_directly(client, world):
    draft = Service.objects.create(
        organisation=world.own_org, name="Concept", scope=Service.Scope.NATIONAL, out_of_home=True
    )
    client.force_login(world.partner)
    data = form_data(client.get(change_url(draft)), summary="Eerste versie.")
    client.post(change_url(draft), data)
    assert reload(draft).summary == "Eerste versie."
    assert reload(draft).status == Service.Status.IN_REVIEW


def test_publishing_a_service_in_review_settles_its_review(client, world):
    service = Service.objects.create(
        organisation=world.own_org,
        name="Samen fietsen",
        summary="Fietsen met een maatje.",
        essence="Elke week een rondje.",
        phone="030 111 22 33",
        scope=Service.Scope.LOCAL,
        out_of_home=True,
    )
    service.municipalities.add(world.here)
    service.target_groups.add(*world.ours.target_groups.all())
    proposal = actions.service_submit(service=service, user=world.partner)
    client.force_login(world.curator)
    client.post(
        reverse("admin:services_service_changelist"),
        {"action": "publish", "_selected_action": [service.pk], "index": 0},
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposedChange.State.APPROVED
    assert [m.to for m in mail.outbox] == [["partner@eigen.example"]]


def test_partner_start_page_lists_own_services_with_their_state_in_words(client, world):

    data = snapshots.snapshot(world.ours)
    data["fields"]["summary"] = "Anders gezegd."
    proposal = actions.service_propose_change(service=world.ours, data=data, user=world.partner)
    actions.proposal_reject(proposal=proposal, user=world.curator, reason="Te vaag.")
    client.force_login(world.partner)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Uw diensten" in page
    assert "Koffie-ochtend" in page
    assert "Uw laatste voorstel is afgewezen" in page
    assert "Te vaag." in page
    assert "Wandelclub" not in page  # another organisation's service


def test_partner_previews_the_public_page_with_unsaved_values(client, world):
    url = change_url(world.ours)
    client.force_login(world.partner)
    data = form_data(client.get(url), summary="Zo ziet het er straks uit.")
    preview = client.post(reverse("admin:services_service_preview", args=[world.ours.pk]), data)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Voorbeeld." in page and "Zo ziet het er straks uit." in page
    assert reload(world.ours).summary != "Zo ziet het er straks uit."  # nothing saved
    assert not ProposedChange.objects.filter(service=world.ours).exists()
    other = client.post(reverse("admin:services_service_preview", args=[world.neighbour.pk]), data)
    assert other.status_code == 404


# Sessions (ActivitySession) are part of a partner's proposal for a live service.


def _thursday_coffee(world):
    return ActivitySession.objects.create(
        service=world.ours,
        kind=ActivitySession.Kind.WEEKLY,
        weekday=4,
        starts_at=datetime.time(10, 0),
        ends_at=datetime.time(12, 0),
    )


def _session_prefix(response):
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is ActivitySession:
            return inline.formset.prefix
    raise AssertionError("no session inline on the page")


def test_partner_changes_sessions_of_a_live_service_as_a_proposal(client, world):
    existing = _thursday_coffee(world)
    client.force_login(world.partner)
    response = client.get(change_url(world.ours))
    prefix = _session_prefix(response)
    data = form_data(
        response,
        **{
            f"{prefix}-0-starts_at": "10:30",
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-1-kind": "weekly",
            f"{prefix}-1-weekday": "2",
            f"{prefix}-1-starts_at": "14:00",
            f"{prefix}-1-ends_at": "15:30",
        },
    )
    assert client.post(change_url(world.ours), data).status_code == 302
    # Live sessions stay as approved until a curator decides.
    existing.refresh_from_db()
    assert existing.starts_at == datetime.time(10, 0)
    assert world.ours.sessions.count() == 1
    proposal = ProposedChange.objects.get(service=world.ours)
    # The curator reads them in words, as the public page shows them.
    client.force_login(world.curator)
    page = client.get(reverse("admin:services_proposedchange_change", args=[proposal.pk]))
    rows = {(r["label"], r["old"], r["new"]) for r in page.context["rows"]}
    assert ("Wanneer", "Elke donderdag, 10.00–12.00 uur", "Elke donderdag, 10.30–12.00 uur") in rows
    assert ("Wanneer", "—", "Elke dinsdag, 14.00–15.30 uur") in rows
    review(client, world.curator, proposal, approve="1")
    patterns = sorted(s.in_words() for s in world.ours.sessions.all())
    assert patterns == ["Elke dinsdag, 14.00–15.30 uur", "Elke donderdag, 10.30–12.00 uur"]
    # The history's snapshot holds them.
    version = world.ours.versions.first()
    assert len(version.snapshot["sessions"]) == 2
    assert any(c["label"] == "Wanneer" for c in version.changes)


def test_rejected_session_change_is_dropped(client, world):
    existing = _thursday_coffee(world)
    client.force_login(world.partner)
    response = client.get(change_url(world.ours))
    prefix = _session_prefix(response)
    data = form_data(response, **{f"{prefix}-0-DELETE": "on"})
    assert client.post(change_url(world.ours), data).status_code == 302
    proposal = ProposedChange.objects.get(service=world.ours)
    assert proposal.data["sessions"] == []
    review(client, world.curator, proposal, reject="1", reason="Die gaat gewoon door.")
    assert list(world.ours.sessions.all()) == [existing]


def test_impossible_session_in_a_proposal_keeps_what_was_typed(client, world):
    _thursday_coffee(world)
    client.force_login(world.partner)
    response = client.get(change_url(world.ours))
    prefix = _session_prefix(response)
    data = form_data(response, **{f"{prefix}-0-ends_at": "09:00"})
    response = client.post(change_url(world.ours), data)
    assert response.status_code == 200
    assert "De eindtijd moet na de begintijd liggen." in response.content.decode()
    assert 'value="09:00"' in response.content.decode()
    assert not ProposedChange.objects.exists()


def test_restoring_a_version_from_before_sessions_were_recorded_keeps_them(world):
    _thursday_coffee(world)
    old = snapshots.snapshot(world.ours)
    del old["sessions"]
    snapshots.apply_snapshot(world.ours, old)
    assert world.ours.sessions.count() == 1
    assert not any(
        row["label"] == "Wanneer" for row in snapshots.diff(old, snapshots.snapshot(world.ours))
    )


def test_partner_form_has_no_english_empty_choice(client, world):
    Location.objects.create(service=world.ours, name="Buurthuis", place="Hierdorp")
    client.force_login(world.partner)
    page = client.get(change_url(world.ours)).content.decode()
    assert "Select an option" not in page
    assert "– Kies –" in page
