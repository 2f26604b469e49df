"""Each role's editing journey in real Chromium, by keyboard (1280 and 390 px) and by mouse.

A Journey counts what a person does: by keyboard every key press (Tab to move, Enter or
Space to activate, each typed character), by mouse every click (and the characters typed).
The counts are printed per step (run with -s) and pinned loosely so a change that makes a
journey longer is noticed. Logging in is left out (the same before and after): the browser
gets a logged-in session cookie. axe-core checks the admin pages the partner uses.

JOURNEY_SCREENSHOTS=<dir> saves a screenshot of each page (edit-<role>-<width>-<n>.png).
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from coalitions.models import Measurement
from services import roles
from services.models import ActivitySession, Location, OpeningPeriod, ProposedChange, Service
from tests.browser import assert_no_axe_violations, assert_no_horizontal_overflow
from tests.coalitions.factories import make_coalition, make_goal, make_indicator
from tests.factories import make_user
from tests.services.curation_fixtures import build_world, change_url, form_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("JOURNEY_SCREENSHOTS", "")
WIDTHS = [1280, 390]


class Journey:
    """Moves through pages the way a person would, counting keys and clicks per step."""

    def __init__(self, page, *, name, keyboard=True):
        self.page, self.name, self.keyboard = page, name, keyboard
        self.keys = self.clicks = 0
        self.steps = []
        self._mark = (0, 0)
        self.shots = 0

    # Moving and acting

    def focus(self, locator, limit=400):
        """Tab (by keyboard) until `locator` has the focus; by mouse nothing (a click follows)."""
        locator = locator.first
        expect(locator).to_be_visible()
        if not self.keyboard:
            return
        # Someone who knows the page goes the short way round: Tab or Shift+Tab.
        self.page.evaluate("() => { window.__journeyStart = document.activeElement; }")
        forward = self._presses(locator, "Tab", limit)
        self.page.evaluate(
            "() => { const s = window.__journeyStart;"
            " if (s && s !== document.body && s.focus) { s.focus(); }"
            " else { document.activeElement.blur(); } }"
        )
        backward = self._presses(
            locator, "Shift+Tab", min(limit, forward) if forward is not None else limit
        )
        if forward is None and backward is None:
            raise AssertionError(f"{self.name}: Tab never reached {locator}")
        if backward is not None and (forward is None or backward < forward):
            self.keys += backward
        else:
            locator.focus()  # where the forward presses had left the focus
            self.keys += forward

    def _presses(self, locator, key, limit):
        """How many presses of `key` bring the focus to `locator` (None: not within limit)."""
        for count in range(limit + 1):
            if locator.evaluate("element => element === document.activeElement"):
                return count
            if count < limit:
                self.page.keyboard.press(key)
        return None

    def activate(self, locator, key="Enter"):
        self.focus(locator)
        if self.keyboard:
            self.page.keyboard.press(key)
            self.keys += 1
        else:
            locator.first.click()
            self.clicks += 1

    def tick(self, locator):
        self.activate(locator, key="Space")

    def fill(self, locator, text):
        """Replace a field's text: select all (one key) and type."""
        self.focus(locator)
        if not self.keyboard:
            locator.first.click()
            self.clicks += 1
        self.page.keyboard.press("ControlOrMeta+a")
        self.keys += 1
        self.page.keyboard.type(text)
        self.keys += len(text)

    def choose(self, select, text):
        """Pick an option of a <select> by typing the start of its label."""
        self.focus(select)
        if not self.keyboard:
            select.first.click()
            self.clicks += 1
            select.first.select_option(label=text)
            self.clicks += 1
            return
        self.page.keyboard.type(text[:6])
        self.keys += len(text[:6])

    # Recording

    def step(self, description):
        keys, clicks = self.keys - self._mark[0], self.clicks - self._mark[1]
        self.steps.append((description, keys, clicks))
        self._mark = (self.keys, self.clicks)
        if SHOTS and self.keyboard:
            self.shots += 1
            width = self.page.viewport_size["width"]
            mode = "kb" if self.keyboard else "mouse"
            path = Path(SHOTS) / f"edit-{self.name}-{mode}-{width}-{self.shots}.png"
            self.page.screenshot(path=str(path), full_page=True)

    def report(self):
        width = self.page.viewport_size["width"]
        mode = "keyboard" if self.keyboard else "mouse"
        lines = [f"JOURNEY {self.name} ({mode}, {width}px): {self.keys} keys, {self.clicks} clicks"]
        for number, (description, keys, clicks) in enumerate(self.steps, 1):
            lines.append(f"  {number}. {description}: {keys} keys, {clicks} clicks")
        print("\n".join(lines))
        return self.keys, self.clicks


def logged_in_page(browser, world, user, width):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": world.url}]
    )
    return context.new_page()


@pytest.fixture
def world(live_server):
    world = build_world()
    place = Location.objects.create(
        service=world.ours, name="Buurthuis De Linde", address="Lindelaan 1", place="Hierdorp"
    )
    OpeningPeriod.objects.create(
        location=place, weekday=4, opens=datetime.time(9), closes=datetime.time(13)
    )
    ActivitySession.objects.create(
        service=world.ours,
        kind=ActivitySession.Kind.WEEKLY,
        weekday=4,
        starts_at=datetime.time(10),
        ends_at=datetime.time(12),
        location=place,
    )
    world.url = live_server.url
    return world


# Partner: edit their own live service, look at the preview, send it -----------------------


def partner_journey(page, world, *, keyboard=True, axe=False):
    journey = Journey(page, name="partner", keyboard=keyboard)
    page.goto(world.url + "/beheer/")
    if axe:
        assert_no_axe_violations(page)
    journey.step("Startpagina met de eigen diensten geopend")
    journey.activate(page.get_by_role("link", name="Koffie-ochtend", exact=True))
    expect(page.get_by_label("Samenvatting")).to_be_visible()
    if axe:
        assert_no_axe_violations(page)
        assert_no_horizontal_overflow(page)
    journey.step("Dienst geopend vanaf de startpagina")
    journey.fill(page.get_by_label("Samenvatting"), "Elke donderdag koffie in de Linde.")
    journey.step("Samenvatting aangepast")
    with page.context.expect_page() as opened:
        journey.activate(page.get_by_role("button", name="Voorbeeld bekijken"))
    preview = opened.value
    expect(preview.get_by_text("Elke donderdag koffie in de Linde.")).to_be_visible()
    if axe:
        assert_no_axe_violations(preview)
    preview.close()
    journey.keys += 1 if keyboard else 0  # closing the tab: Ctrl+W
    journey.clicks += 0 if keyboard else 1
    journey.step("Voorbeeld bekeken en het tabblad gesloten")
    journey.activate(page.get_by_role("button", name="Opslaan", exact=True))
    expect(page.get_by_text("wacht op goedkeuring").first).to_be_visible()
    if axe:
        assert_no_axe_violations(page)
        assert_no_horizontal_overflow(page)
    journey.step("Opgeslagen: wacht op goedkeuring")
    proposal = ProposedChange.objects.get(service=world.ours)
    assert proposal.data["fields"]["summary"] == "Elke donderdag koffie in de Linde."
    return journey.report()


@pytest.mark.parametrize("width", WIDTHS)
def test_partner_edits_previews_and_sends_by_keyboard(browser, world, width):
    page = logged_in_page(browser, world, world.partner, width)
    keys, clicks = partner_journey(page, world, keyboard=True, axe=True)
    assert clicks == 0
    assert keys < 200


def test_partner_journey_by_mouse(browser, world):
    page = logged_in_page(browser, world, world.partner, 1280)
    keys, clicks = partner_journey(page, world, keyboard=False)
    assert clicks <= 6


# Curator: the work queue, approve a proposal; a campaign with preview and confirmation ----


def curator_journey(page, world, *, keyboard=True):
    journey = Journey(page, name="curator", keyboard=keyboard)
    client = Client()
    client.force_login(world.partner)
    client.post(
        change_url(world.ours),
        form_data(client.get(change_url(world.ours)), summary="Nu ook op vrijdag."),
    )
    proposal = ProposedChange.objects.get(service=world.ours)
    page.goto(world.url + "/beheer/")
    journey.step("Beheer geopend")
    journey.activate(page.get_by_role("link", name="Voorstellen ter beoordeling").first)
    journey.step("Werkvoorraad: voorstellen ter beoordeling")
    journey.activate(page.get_by_role("link", name="Koffie-ochtend", exact=True))
    expect(page.get_by_text("Nu ook op vrijdag.")).to_be_visible()
    journey.step("Voorstel geopend: verschil met labels")
    journey.activate(page.get_by_role("button", name="Goedkeuren"))
    expect(page.get_by_text("Goedgekeurd.")).to_be_visible()
    journey.step("Goedgekeurd")
    proposal.refresh_from_db()
    assert proposal.state == ProposedChange.State.APPROVED
    # A campaign over this curator's services: preview, then send.
    sent_before = len(mail.outbox)  # the partner heard of the approval
    page.goto(world.url + "/beheer/services/service/")
    journey.step("Lijst van diensten geopend")
    for name in ("Koffie-ochtend", "Wandelclub"):
        row = page.locator("tr", has=page.get_by_role("link", name=name, exact=True))
        journey.tick(row.get_by_role("checkbox"))
    journey.step("Twee diensten aangevinkt")
    journey.choose(
        page.locator("select[name=action]"), "Controleronde starten: aanbieders per e-mail vragen"
    )
    journey.activate(page.get_by_role("button", name="Uitvoeren"))
    # The preview, or (on the branch's start commit) the message that the e-mails went out.
    expect(
        page.get_by_text(re.compile("Zo ziet elke e-mail eruit|een e-mail gekregen"))
    ).to_be_visible()
    if page.get_by_text("Zo ziet elke e-mail eruit").count():
        assert len(mail.outbox) == sent_before
        journey.step("Voorbeeld van de e-mails (nog niets verstuurd)")
        journey.activate(page.get_by_role("button", name="2 e-mails versturen"))
        expect(page.get_by_text("2 e-mails verstuurd.")).to_be_visible()
        journey.step("Verstuurd: 2 e-mails")
    else:  # the branch's start commit: sent at once, no preview (for the "before" count)
        journey.step("Meteen verstuurd, zonder voorbeeld")
    assert len(mail.outbox) == sent_before + 2
    return journey.report()


@pytest.mark.parametrize("width", WIDTHS)
def test_curator_reviews_and_starts_a_campaign_by_keyboard(browser, world, width):
    page = logged_in_page(browser, world, world.curator, width)
    keys, clicks = curator_journey(page, world, keyboard=True)
    assert clicks == 0
    assert_no_axe_violations(page)


def test_curator_journey_by_mouse(browser, world):
    page = logged_in_page(browser, world, world.curator, 1280)
    keys, clicks = curator_journey(page, world, keyboard=False)
    assert clicks <= 12


# Coordinator: a new measurement for a coalition goal --------------------------------------


@pytest.fixture
def coalition_world(world):
    world.coordinator = make_user(
        "coordinator", groups=[roles.COALITION_COORDINATOR], is_staff=True
    )
    coalition = make_coalition("Samen tegen eenzaamheid", municipality=world.here)
    coalition.coordinators.add(world.coordinator)
    goal = make_goal(coalition, title="Minder eenzame ouderen")
    world.indicator = make_indicator(goal, name="Ouderen die zich eenzaam voelen")
    return world


def coordinator_journey(page, world, *, keyboard=True):
    journey = Journey(page, name="coordinator", keyboard=keyboard)
    page.goto(world.url + "/beheer/")
    journey.step("Beheer geopend")
    journey.activate(page.get_by_role("link", name="Indicatoren").first)
    journey.step("Indicatoren geopend")
    journey.activate(page.get_by_role("link", name=world.indicator.name, exact=True))
    journey.step("Indicator geopend")
    journey.fill(page.locator("input[name$='-0-date']"), "01-11-2026")
    journey.fill(page.locator("input[name$='-0-value']"), "35")
    journey.step("Meting ingevuld (datum en waarde)")
    journey.activate(page.get_by_role("button", name="Opslaan", exact=True))
    expect(page.locator(".messagelist .success")).to_be_visible()
    journey.step("Opgeslagen")
    assert Measurement.objects.filter(indicator=world.indicator).count() == 1
    return journey.report()


@pytest.mark.parametrize("width", WIDTHS)
def test_coordinator_updates_a_goal_by_keyboard(browser, coalition_world, width):
    page = logged_in_page(browser, coalition_world, coalition_world.coordinator, width)
    keys, clicks = coordinator_journey(page, coalition_world, keyboard=True)
    assert clicks == 0


def test_coordinator_journey_by_mouse(browser, coalition_world):
    page = logged_in_page(browser, coalition_world, coalition_world.coordinator, 1280)
    keys, clicks = coordinator_journey(page, coalition_world, keyboard=False)
    assert clicks <= 6


def test_provider_checks_by_section_from_the_campaign_link(browser, world):
    """The provider (no login): Klopt per section, one section proposed, by keyboard."""
    from services import actions

    campaign, _skipped = actions.campaign_start(
        name="Ronde", services=Service.objects.filter(pk=world.ours.pk), user=world.curator
    )
    link = actions.campaign_link(campaign.recipients.get(), base_url=world.url)
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
        page = context.new_page()
        journey = Journey(page, name="aanbieder", keyboard=True)
        page.goto(link)
        assert_no_axe_violations(page)
        assert_no_horizontal_overflow(page)
        journey.step("Controlelink geopend: de hele openbare tekst per deel")
        journey.activate(page.get_by_role("button", name="Klopt: wat en voor wie"))
        expect(page.get_by_text("U hebt aangegeven dat dit klopt.")).to_be_visible()
        journey.step("Klopt bij Wat en voor wie")
        journey.activate(page.get_by_role("link", name="Dit klopt niet: kosten"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Dit klopt niet: Kosten")
        assert_no_axe_violations(page)
        assert_no_horizontal_overflow(page)
        journey.step("Kosten: Dit klopt niet, het formulier")
        journey.fill(page.get_by_label("Uitleg over de kosten"), "Koffie kost 1 euro.")
        journey.activate(page.get_by_role("button", name="Voorstel versturen"))
        expect(page.get_by_text("Uw voorstel wacht op de gemeente.")).to_be_visible()
        journey.step("Kosten: voorstel verstuurd")
        journey.report()
        # The sessions-and-hours form: a stacked form per session, labelled, fits a phone.
        page.get_by_role("link", name="Dit klopt niet: wanneer").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Wanneer")
        assert_no_axe_violations(page)
        assert_no_horizontal_overflow(page)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/edit-aanbieder-wanneer-{width}.png", full_page=True)
        context.close()
    proposal = ProposedChange.objects.get(service=world.ours)
    assert proposal.data["fields"]["cost_text"] == "Koffie kost 1 euro."
