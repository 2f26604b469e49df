"""Verification: marking checked, overdue, campaigns with signed links, reminders."""

import datetime
import decimal
import smtplib
import time

import pytest
from django.contrib.messages import get_messages
from django.core import mail, signing
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from services import actions, links
from services.models import (
    ActivitySession,
    CampaignRecipient,
    Location,
    OpeningPeriod,
    ProposedChange,
    Service,
    ServiceVersion,
)
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


# The provider's page: the whole public record in sections, "Klopt" or "Dit klopt niet" each.


def _with_record(world):
    """Koffie-ochtend with costs, a place with hours and a weekly session."""
    service = world.ours
    service.cost = Service.Cost.PAID
    service.cost_amount = decimal.Decimal("1.50")
    service.cost_unit = Service.CostUnit.PER_TIME
    service.save()
    place = Location.objects.create(
        service=service,
        name="Buurthuis De Linde",
        address="Lindelaan 1",
        postcode="1234 AB",
        place="Voorbeeldstad",
    )
    OpeningPeriod.objects.create(
        location=place, weekday=4, opens=datetime.time(9), closes=datetime.time(12)
    )
    ActivitySession.objects.create(
        service=service,
        kind=ActivitySession.Kind.WEEKLY,
        weekday=4,
        starts_at=datetime.time(10),
        ends_at=datetime.time(12),
        location=place,
    )
    return place


def test_provider_page_shows_the_public_record_in_sections(client, campaign, world):
    _with_record(world)
    page = client.get(enter(client, recipient_of(campaign, world.own_org))).content.decode()
    for heading in ("Wat en voor wie", "Kosten", "Wanneer", "Waar", "Contact", "Aanmelden"):
        assert f">{heading}</h3>" in page
    # As the public page words them (services.presentation and its includes).
    assert "€ 1,50" in page
    assert "Elke donderdag, 10.00–12.00 uur" in page
    assert "Lindelaan 1" in page and "1234 AB" in page
    assert world.ours.phone in page
    assert page.count(">Klopt<") >= 6 * 2  # six sections, two services of this provider


def test_klopt_for_every_section_marks_the_service_checked(client, campaign, world):
    recipient = recipient_of(campaign, world.own_org)
    url = enter(client, recipient)
    sections = ["wat", "kosten", "wanneer", "waar", "contact", "aanmelden"]
    for section in sections[:-1]:
        client.post(url, {"service": world.ours.pk, "section": section})
        assert reload(world.ours).verified_at is None
    response = client.post(url, {"service": world.ours.pk, "section": "aanmelden"})
    assert response.status_code == 302
    assert reload(world.ours).verified_at is not None
    recipient.refresh_from_db()
    assert recipient.answered_at is not None


def test_alles_klopt_marks_the_service_checked_at_once(client, campaign, world):
    url = enter(client, recipient_of(campaign, world.own_org))
    client.post(url, {"service": world.ours.pk})
    assert reload(world.ours).verified_at is not None


def test_cost_proposal_goes_to_the_review_queue_with_formatted_values(client, campaign, world):
    _with_record(world)
    enter(client, recipient_of(campaign, world.own_org))
    url = reverse("curation:campaign_section", kwargs={"pk": world.ours.pk, "section": "kosten"})
    form = client.get(url).context["parts"][0][1]
    data = {name: form[name].value() or "" for name in form.fields}
    data["cost_amount"] = "2,50"
    assert client.post(url, data).status_code == 302
    proposal = ProposedChange.objects.get(service=world.ours)
    assert reload(world.ours).cost_amount == decimal.Decimal("1.50")  # not live yet
    rows = actions.proposal_diff(proposal)
    assert [(r["field"], r["old"], r["new"]) for r in rows] == [("cost_amount", "1,50", "2,50")]


def test_sessions_and_hours_proposal_reads_in_words_for_the_curator(client, campaign, world):
    place = _with_record(world)
    enter(client, recipient_of(campaign, world.own_org))
    url = reverse("curation:campaign_section", kwargs={"pk": world.ours.pk, "section": "wanneer"})
    response = client.get(url)
    session = world.ours.sessions.get()
    period = place.opening_periods.get()
    data = {
        "keer-TOTAL_FORMS": "2",
        "keer-INITIAL_FORMS": "1",
        "keer-0-id": session.pk,
        "keer-0-kind": "weekly",
        "keer-0-weekday": "4",
        "keer-0-starts_at": "10:00",
        "keer-0-ends_at": "12:00",
        "keer-0-location": place.pk,
        "keer-1-kind": "fortnightly",
        "keer-1-weekday": "1",
        "keer-1-start_date": "2026-12-07",
        "keer-1-starts_at": "19:00",
        "keer-1-ends_at": "21:00",
        f"uren-{place.pk}-TOTAL_FORMS": "1",
        f"uren-{place.pk}-INITIAL_FORMS": "1",
        f"uren-{place.pk}-0-id": period.pk,
        f"uren-{place.pk}-0-weekday": "4",
        f"uren-{place.pk}-0-opens": "09:00",
        f"uren-{place.pk}-0-closes": "13:00",
    }
    assert response.status_code == 200
    assert client.post(url, data).status_code == 302
    rows = actions.proposal_diff(ProposedChange.objects.get(service=world.ours))
    texts = {(r["label"], r["new"]) for r in rows}
    assert ("Wanneer", "Om de week op maandag, 19.00–21.00 uur") in texts
    assert any(r["label"] == "Locatie" and "donderdag 09:00–13:00" in r["new"] for r in rows)
    assert world.ours.sessions.count() == 1  # nothing live until approved


def test_address_proposal_and_bad_input_keeps_what_was_typed(client, campaign, world):
    place = _with_record(world)
    enter(client, recipient_of(campaign, world.own_org))
    url = reverse("curation:campaign_section", kwargs={"pk": world.ours.pk, "section": "waar"})
    data = {
        "plek-TOTAL_FORMS": "1",
        "plek-INITIAL_FORMS": "1",
        "plek-0-id": place.pk,
        "plek-0-name": "",
        "plek-0-address": "Eikenlaan 9",
        "plek-0-postcode": "1234 AB",
        "plek-0-place": "Voorbeeldstad",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert 'value="Eikenlaan 9"' in response.content.decode()
    assert not ProposedChange.objects.exists()
    data["plek-0-name"] = "Buurthuis De Linde"
    assert client.post(url, data).status_code == 302
    rows = actions.proposal_diff(ProposedChange.objects.get(service=world.ours))
    assert any("Eikenlaan 9" in r["new"] for r in rows)


@pytest.mark.parametrize("section", ["onbekend", "wat%00", "x" * 300])
def test_unknown_section_is_a_404(client, campaign, world, section):
    enter(client, recipient_of(campaign, world.own_org))
    url = f"/controle/dienst/{world.ours.pk}/{section}/"
    # A NUL byte is refused earlier, by the middleware, with a 400.
    assert client.get(url).status_code == (400 if "%00" in section else 404)


class RefusingBackend(locmem.EmailBackend):
    """A mail server that refuses one address, as a real one does for a dead mailbox."""

    def send_messages(self, messages):
        for message in messages:
            if "ander" in message.to[0]:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
        return super().send_messages(messages)


def test_campaign_names_the_addresses_the_mail_server_refused(client, world, monkeypatch):
    # pytest-django keeps the locmem backend whatever the settings say: refuse inside it.
    monkeypatch.setattr(locmem, "EmailBackend", RefusingBackend)
    client.force_login(world.curator)
    response = _start_campaign(
        client, [world.ours.pk, world.neighbour.pk], confirm="yes", name="R", reminder_days="14"
    )
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert "1 e-mail verstuurd." in shown
    assert "De mailserver weigerde de e-mail aan: info@ander.example." in shown
    refused = CampaignRecipient.objects.get(organisation=world.other_org)
    assert refused.sent_at is None  # so it is not reminded as if it had been sent
