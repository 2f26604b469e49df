"""Verification: marking checked, overdue, campaigns with signed links, reminders."""

import datetime
import time

import pytest
from django.contrib.messages import get_messages
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from services import actions, links
from services.models import CampaignRecipient, ProposedChange, Service, ServiceVersion
from tests.factories import make_service
from tests.services.curation_fixtures import build_world, reload

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.services.curation_fixtures")]


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def campaign(world):
    extra = make_service("Taalcafé", organisation=world.own_org, municipalities=[world.here])
    services = Service.objects.filter(pk__in=[world.ours.pk, extra.pk, world.neighbour.pk])
    started, skipped = actions.campaign_start(
        name="Ronde", services=services, user=world.curator, base_url="http://testserver"
    )
    assert not skipped
    return started


def recipient_of(campaign, organisation):
    return campaign.recipients.get(organisation=organisation)


def link(recipient):
    """The link as e-mailed: the token is exchanged for the session on the first visit."""
    return actions.campaign_link(recipient, base_url="")


def enter(client, recipient):
    """Open the e-mailed link; later pages carry no token."""
    response = client.get(link(recipient))
    assert response["Location"] == reverse("curation:campaign")
    return reverse("curation:campaign")


def test_curator_marks_verified_from_the_change_form(client, world):
    client.force_login(world.curator)
    url = reverse("admin:services_service_change", args=[world.neighbour.pk])
    response = client.post(
        url, {"CHANGE_FORM-action": "mark_verified", "_selected_action": [world.neighbour.pk]}
    )
    assert response.status_code == 302
    service = reload(world.neighbour)
    assert service.verified_at is not None
    assert service.verified_by == world.curator


def test_overdue_filter_and_count(client, world):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Service.objects.filter(pk=world.neighbour.pk).update(verified_at=long_ago)
    Service.objects.filter(pk=world.ours.pk).update(verified_at=timezone.now())
    client.force_login(world.curator)
    response = client.get(reverse("admin:services_service_changelist"), {"controle": "overdue"})
    shown = {s.pk for s in response.context["cl"].result_list}
    assert world.neighbour.pk in shown
    assert world.ours.pk not in shown
    dashboard = client.get(reverse("admin:services_dashboard"))
    assert dashboard.context["overdue_count"] == 1  # neighbour; ours is fresh


def test_overdue_follows_the_setting(world, settings):
    Service.objects.update(verified_at=timezone.now() - datetime.timedelta(days=100))
    settings.VERIFICATION_OVERDUE_MONTHS = 12
    assert not Service.objects.overdue().exists()
    settings.VERIFICATION_OVERDUE_MONTHS = 3
    assert Service.objects.overdue().count() == Service.objects.count()


def test_campaign_sends_one_email_per_organisation(campaign, world):
    assert sorted(m.to[0] for m in mail.outbox) == ["info@ander.example", "info@eigen.example"]
    own = recipient_of(campaign, world.own_org)
    assert own.services.count() == 2
    body = next(m.body for m in mail.outbox if m.to == ["info@eigen.example"])
    assert "http://testserver/controle/" in body
    assert "Koffie-ochtend" in body and "Wandelclub" not in body


def _start_campaign(client, ids, **extra):
    return client.post(
        reverse("admin:services_service_changelist"),
        {"action": "start_campaign", "_selected_action": ids, "index": 0, **extra},
    )


def test_campaign_action_shows_every_email_before_sending(client, world):
    client.force_login(world.curator)
    response = _start_campaign(client, [world.ours.pk, world.neighbour.pk, world.national.pk])
    assert response.status_code == 200
    assert mail.outbox == [] and not CampaignRecipient.objects.exists()
    page = response.content.decode()
    # Per provider: the recipient and the exact text that will be sent.
    for email in ("info@eigen.example", "info@ander.example"):
        assert email in page
    expected = actions.campaign_message(
        organisation=world.own_org, services=[world.ours], link="[uw persoonlijke link]"
    )
    assert escape(expected[1]) in page
    assert "2 e-mails versturen" in page
    # The national service is left out, and the page says so.
    assert "1 gekozen dienst valt buiten uw gemeenten" in page


def test_campaign_action_sends_only_after_confirmation(client, world):
    client.force_login(world.curator)
    response = _start_campaign(
        client,
        [world.ours.pk, world.national.pk],
        confirm="yes",
        name="Najaarsronde",
        reminder_days="10",
    )
    assert response.status_code == 302
    recipient = CampaignRecipient.objects.get()
    # The national service is not the municipal curator's to check.
    assert list(recipient.services.all()) == [world.ours]
    assert recipient.campaign.name == "Najaarsronde" and recipient.campaign.reminder_days == 10
    assert len(mail.outbox) == 1
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert "1 e-mail verstuurd." in shown
    assert any("1 dienst overgeslagen" in m for m in shown)


def test_campaign_confirmation_with_bad_values_keeps_them_and_sends_nothing(client, world):
    client.force_login(world.curator)
    response = _start_campaign(
        client, [world.ours.pk], confirm="yes", name="Mijn ronde", reminder_days="duizend"
    )
    assert response.status_code == 200
    assert mail.outbox == [] and not CampaignRecipient.objects.exists()
    assert 'value="Mijn ronde"' in response.content.decode()


def test_campaign_reports_providers_without_an_address(client, world):
    world.other_org.email = ""
    world.other_org.save()
    client.force_login(world.curator)
    response = _start_campaign(
        client, [world.ours.pk, world.neighbour.pk], confirm="yes", name="R", reminder_days="14"
    )
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert "1 e-mail verstuurd." in shown
    assert any("1 aanbieder overgeslagen: geen e-mailadres bekend (Ander Huis)" in m for m in shown)


def test_link_page_lists_only_that_organisations_services(client, campaign, world):
    response = client.get(enter(client, recipient_of(campaign, world.own_org)))
    assert response.status_code == 200
    names = {s.name for s in response.context["services"]}
    assert names == {"Koffie-ochtend", "Taalcafé"}


def test_still_correct_marks_verified_and_answered(client, campaign, world):
    recipient = recipient_of(campaign, world.own_org)
    response = client.post(enter(client, recipient), {"service": world.ours.pk})
    assert response.status_code == 302
    assert reload(world.ours).verified_at is not None
    assert reload(world.ours).versions.first().source == ServiceVersion.Source.CAMPAIGN
    recipient.refresh_from_db()
    assert recipient.answered_at is not None


def test_link_refuses_another_organisations_service(client, campaign, world):
    recipient = recipient_of(campaign, world.own_org)
    url = enter(client, recipient)
    assert client.post(url, {"service": world.neighbour.pk}).status_code == 404
    propose = reverse("curation:campaign_propose", kwargs={"pk": world.neighbour.pk})
    assert client.get(propose).status_code == 404
    assert reload(world.neighbour).verified_at is None


def test_tampered_link_is_refused(client, campaign, world):
    recipient = recipient_of(campaign, world.own_org)
    token = links.recipient_token(recipient)
    forged = signing.dumps({"r": recipient.pk, "o": world.other_org.pk}, salt="wrong")
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        url = reverse("curation:campaign_enter", kwargs={"token": bad})
        assert client.get(url).status_code == 404
        assert client.get(reverse("curation:campaign"), {"sleutel": bad}).status_code == 404


def test_link_naming_a_recipient_with_another_organisation_is_refused(client, campaign, world):
    recipient = recipient_of(campaign, world.own_org)
    token = signing.dumps({"r": recipient.pk, "o": world.other_org.pk}, salt=links.SALT)
    url = reverse("curation:campaign_enter", kwargs={"token": token})
    assert client.get(url).status_code == 404


def test_the_token_is_used_once_and_never_appears_in_a_later_url(client, campaign, world):
    recipient = recipient_of(campaign, world.own_org)
    token = links.recipient_token(recipient)
    assert "?sleutel=" in link(recipient)
    page = client.get(enter(client, recipient)).content.decode()
    assert token not in page
    response = client.post(reverse("curation:campaign"), {"service": world.ours.pk})
    assert token not in response["Location"]
    # Old e-mails with the token in the path still work, the same way.
    response = Client().get(reverse("curation:campaign_enter", kwargs={"token": token}))
    assert response["Location"] == reverse("curation:campaign")
    # Without the session, the bare page is a dead link, not someone else's list.
    assert Client().get(reverse("curation:campaign")).status_code == 404


def test_expired_link_is_refused(client, campaign, world, monkeypatch):
    url = link(recipient_of(campaign, world.own_org))
    later = time.time() + links.link_max_age() + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(url)
    assert response.status_code == 410
    assert response.context["expired"] is True


def test_proposed_change_through_link_goes_into_review_queue(client, campaign, world):
    recipient = recipient_of(campaign, world.own_org)
    old = world.ours.summary
    enter(client, recipient)
    url = reverse("curation:campaign_propose", kwargs={"pk": world.ours.pk})
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["summary"] = "Nu ook op dinsdag."
    assert client.post(url, data).status_code == 302
    proposal = ProposedChange.objects.get(service=world.ours)
    assert proposal.contact_email == "info@eigen.example"
    assert proposal.data["fields"]["summary"] == "Nu ook op dinsdag."
    assert reload(world.ours).summary == old
    recipient.refresh_from_db()
    assert recipient.answered_at is not None


def test_invalid_proposal_through_link_keeps_what_was_typed(client, campaign, world):
    recipient = recipient_of(campaign, world.own_org)
    enter(client, recipient)
    url = reverse("curation:campaign_propose", kwargs={"pk": world.ours.pk})
    response = client.post(url, {"name": "Koffie\x00", "summary": "Blijft staan", "email": "x"})
    assert response.status_code == 200
    assert response.context["form"]["summary"].value() == "Blijft staan"
    assert not ProposedChange.objects.exists()


def test_reminders_go_once_to_those_who_did_not_answer(campaign, world):
    answered = recipient_of(campaign, world.own_org)
    actions.campaign_confirm(recipient=answered, service=world.ours)
    CampaignRecipient.objects.update(sent_at=timezone.now() - datetime.timedelta(days=15))
    mail.outbox.clear()
    call_command("send_verification_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [m.to for m in mail.outbox] == [["info@ander.example"]]
    assert "Herinnering" in mail.outbox[0].subject
    mail.outbox.clear()
    call_command("send_verification_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not mail.outbox


def test_no_reminder_before_the_days_have_passed(campaign):
    mail.outbox.clear()
    assert actions.campaign_send_reminders() == []
    assert not mail.outbox


def test_campaign_page_shows_who_answered(client, campaign, world):
    actions.campaign_confirm(recipient=recipient_of(campaign, world.own_org), service=world.ours)
    client.force_login(world.curator)
    url = reverse("admin:services_verificationcampaign_change", args=[campaign.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Eigen Welzijn" in response.content.decode()
    client.force_login(world.partner)
    # Outside the policy's rows: a 404, like a missing campaign.
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("value", ["abc", "", "1; DROP", "9" * 30])
def test_odd_service_ids_on_the_link_page_are_a_404(client, campaign, world, value):
    url = enter(client, recipient_of(campaign, world.own_org))
    response = client.post(url, {"service": value})
    assert response.status_code == 404
