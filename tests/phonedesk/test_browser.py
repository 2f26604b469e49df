"""The phone desk in real Chromium: the keyboard flow from question to logged referral, axe."""

import time

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from phonedesk.models import Call, Outcome, SearchTermCount
from services import roles
from tests.browser import assert_no_axe_violations, assert_no_horizontal_overflow
from tests.factories import make_municipality, make_service, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk_page(page, live_server):
    delft = make_municipality("Delft")
    baarn = make_municipality("Baarn")
    make_service("Maatje aan de lijn", summary="Elke week een vast maatje aan de telefoon.")
    make_service("Maatje Delft", municipalities=[delft], min_age=18, max_age=65)
    make_service("Maatje Baarn", municipalities=[baarn])
    client = Client()
    client.force_login(make_user(groups=[roles.PHONE_DESK]))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto(live_server.url + reverse("phonedesk:desk"))
    return page


def active_id(page):
    return page.evaluate("document.activeElement.id")


def active_text(page):
    return page.evaluate("document.activeElement.textContent.trim()")


def tab_to(page, element_id, limit=15):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if active_id(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


class Keys:
    """Presses keys and counts them; typed text is counted apart (it is the same on any desk)."""

    def __init__(self, page):
        self.page = page
        self.pressed = []
        self.typed = 0

    def press(self, key):
        self.page.keyboard.press(key)
        self.pressed.append(key)

    def type(self, text):
        self.page.keyboard.type(text)
        self.typed += len(text)


def wait_focus(page, element_id):
    page.wait_for_function(f"() => document.activeElement.id === {element_id!r}")


# Search, open a result, put two on the list, the summary, the e-mail address, finish the call.
# Before issue 16 this took 45 keys (74 by Tab alone): /work/notes/desk-before.md.
KEYS_FOR_A_WHOLE_CALL = 13


def test_whole_call_by_keyboard_alone_takes_thirteen_keys(desk_page):
    page = desk_page
    keys = Keys(page)
    make_service("Maatje thuis", summary="Een maatje komt bij u thuis.")
    assert active_id(page) == "pd-q"

    keys.type("maatje")
    links = page.locator(".pd-result__link")
    links.nth(1).wait_for()
    for position in (1, 2):
        if position == 2:
            keys.press("Escape")  # closes the panel, back on the first result
            assert page.locator("#pd-panel-title").count() == 0
        keys.press("ArrowDown")
        keys.press("Enter")
        wait_focus(page, "pd-panel-title")
        keys.press("Tab")
        assert active_id(page).startswith("pd-panel-pickbtn-")
        keys.press("Enter")
        page.locator("#pd-picked li").nth(position - 1).wait_for()
    picked = page.locator("#pd-picked .pd-list__name").all_inner_texts()
    assert len(picked) == 2

    with page.expect_navigation():
        keys.press("s")
    assert page.locator(".pd-summary__item").count() == 2
    assert active_id(page) == "id_email"
    keys.type("beller@example.org")
    with page.expect_navigation():
        keys.press("Enter")
    assert "De samenvatting is verstuurd" in page.content()
    # Back on the desk, in the search field: a shortcut needs Alt there.
    assert active_id(page) == "pd-q"
    keys.press("Alt+A")
    wait_focus(page, "pd-panel-title")
    assert page.is_checked("#id_finish-outcome_0")
    with page.expect_navigation():
        keys.press("Control+Enter")
    assert "Het gesprek is opgeslagen" in page.content()

    assert len(keys.pressed) == KEYS_FOR_A_WHOLE_CALL, keys.pressed
    call = Call.objects.get()
    assert call.outcome == Outcome.REFERRED
    assert sorted(s.name for s in call.services.all()) == sorted(picked)
    assert len(mail.outbox) == 1


def test_keyboard_flow_from_question_to_logged_referral(desk_page):
    page = desk_page
    started = time.monotonic()
    assert active_id(page) == "pd-q"

    # The caller lives in Delft and is 80.
    page.keyboard.press("Shift+Tab")
    for _ in range(10):
        if active_id(page) == "id_municipality":
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.type("Delft")
    tab_to(page, "id_age")
    page.keyboard.type("80")
    # Esc in the age field closes nothing and wipes nothing.
    page.keyboard.press("Escape")
    assert page.input_value("#id_age") == "80"
    page.keyboard.press("/")
    assert active_id(page) == "pd-q"

    page.keyboard.type("maatje")
    links = page.locator(".pd-result__link")
    links.nth(1).wait_for()
    assert set(links.all_inner_texts()) == {"Maatje aan de lijn", "Maatje Delft"}
    assert page.locator(".pd-flags").first.inner_text().startswith("Leeftijd past niet")
    assert "2 diensten gevonden" in page.locator("#pd-status").inner_text()
    # Esc in the search field keeps the typed text (Chromium would empty it).
    page.keyboard.press("Escape")
    assert page.input_value("#pd-q") == "maatje"
    # The call timer runs from the first search.
    page.wait_for_function(
        "() => /^\\d+:\\d\\d$/.test(document.querySelector('[data-pd-clock]').textContent)"
    )

    page.keyboard.press("ArrowDown")
    assert active_text(page) == "Maatje aan de lijn"
    page.keyboard.press("ArrowDown")
    assert active_text(page) == "Maatje Delft"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    wait_focus(page, "pd-panel-title")
    assert page.locator("#pd-panel-title").inner_text() == "Maatje aan de lijn"

    page.keyboard.press("Tab")
    assert active_id(page).startswith("pd-panel-pickbtn-")
    page.keyboard.press("Enter")
    page.locator("#pd-picked li").first.wait_for()
    assert "Maatje aan de lijn" in page.locator("#pd-picked").inner_text()
    page.wait_for_function(
        "() => document.querySelector('[id^=pd-panel-pickbtn-]').ariaPressed === 'true'"
    )

    page.keyboard.press("Escape")
    assert page.locator("#pd-panel-title").count() == 0
    assert active_text(page) == "Maatje aan de lijn"
    # A second Esc has nothing left to close: the search text stays.
    page.keyboard.press("Escape")
    assert page.input_value("#pd-q") == "maatje"

    page.keyboard.press("l")
    assert active_id(page) == "pd-list-title"
    page.keyboard.press("a")
    wait_focus(page, "pd-panel-title")
    tab_to(page, "id_finish-outcome_0")
    assert page.is_checked("#id_finish-outcome_0")
    for _ in range(30):
        page.keyboard.press("Tab")
        if active_text(page) == "Opslaan en klaar":
            break
    assert active_text(page) == "Opslaan en klaar", page.evaluate(
        "document.activeElement.outerHTML"
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Het gesprek is opgeslagen" in page.content()
    assert active_id(page) == "pd-q"
    assert time.monotonic() - started < 60

    call = Call.objects.get()
    assert call.outcome == Outcome.REFERRED
    assert call.municipality.name == "Delft"
    assert call.age_band == "75-84"
    assert call.duration_minutes == 1
    assert [s.name for s in call.services.all()] == ["Maatje aan de lijn"]
    # Counted once when the staff member moved into the results, not once per keystroke.
    assert list(SearchTermCount.objects.values_list("term", "total", "zero_results")) == [
        ("maatje", 1, 0)
    ]


def test_more_results_by_keyboard_and_focus_on_the_first_new_one(desk_page):
    page = desk_page
    for number in range(1, 13):
        make_service(f"Wandelgroep {number:02}", summary="Samen wandelen.")
    page.keyboard.type("wandelgroep")
    page.locator(".pd-result__link").nth(9).wait_for()
    assert page.locator(".pd-result__link").count() == 10
    assert "Er zijn er meer" in page.locator("#pd-status").inner_text()
    page.keyboard.press("Alt+M")
    page.locator(".pd-result__link").nth(11).wait_for()
    assert page.locator(".pd-result__link").count() == 12
    assert page.locator("#pd-more").count() == 0
    # Focus moves once the new results have settled: wait for it rather than race it.
    expect(page.locator(".pd-result__link").nth(10)).to_be_focused()
    assert page.input_value("#pd-q") == "wandelgroep"


def test_new_call_asks_first_when_services_are_on_the_list(desk_page):
    page = desk_page
    page.keyboard.type("maatje")
    page.locator(".pd-result__link").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wait_focus(page, "pd-panel-title")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("#pd-picked li").first.wait_for()
    page.keyboard.press("Escape")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.keyboard.press("n")
    page.wait_for_timeout(200)
    assert asked and "nog niet afgerond" in asked[0]
    assert page.locator("#pd-picked li").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.keyboard.press("n")
    assert page.locator("#pd-picked li").count() == 0
    assert "Nieuw gesprek" in page.content()


def test_desk_has_no_public_header_or_footer(desk_page):
    page = desk_page
    assert page.locator(".site-header, .site-footer").count() == 0
    assert page.get_by_text("Liever bellen?").count() == 0
    assert page.get_by_text("Mijn lijst").count() == 0
    for name in ("Naar de lijst", "Samenvatting", "Gesprek afronden", "Nieuw gesprek"):
        assert page.locator(".pd-shortcuts").get_by_text(name).is_visible()


def test_phone_desk_has_no_axe_violations(desk_page):
    page = desk_page
    assert_no_axe_violations(page)
    page.keyboard.type("maatje")
    page.locator(".pd-result__link").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'pd-panel-title'")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("#pd-picked li").first.wait_for()
    assert_no_axe_violations(page)
    page.goto(page.url.split("/telefoon/")[0] + reverse("phonedesk:finish"))
    assert_no_axe_violations(page)
    page.goto(page.url.split("/telefoon/")[0] + reverse("phonedesk:summary"))
    assert_no_axe_violations(page)


@pytest.mark.parametrize("width", [320, 390])
def test_phone_desk_fits_a_small_phone(desk_page, width):
    page = desk_page
    page.set_viewport_size({"width": width, "height": 800})
    page.keyboard.type("maatje")
    page.locator(".pd-result__link").first.wait_for()
    assert_no_horizontal_overflow(page)


def test_search_without_javascript_posts_and_shows_results(browser, desk_page, live_server):
    cookies = desk_page.context.cookies()
    context = browser.new_context(java_script_enabled=False)
    try:
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(live_server.url + reverse("phonedesk:desk"))
        page.fill("#pd-q", "maatje")
        with page.expect_navigation():
            page.get_by_role("button", name="Zoek", exact=True).click()
        assert page.url == live_server.url + reverse("phonedesk:search")
        assert "maatje" not in page.url
        assert page.locator(".pd-result__link").count() == 1
    finally:
        context.close()


def test_gap_report_has_no_axe_violations(page, live_server):
    from phonedesk import demo

    make_service("Maatje aan de lijn")
    demo.load()
    client = Client()
    client.force_login(make_user(groups=[roles.NATIONAL_CURATOR]))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto(live_server.url + reverse("phonedesk:gaps"))
    assert page.locator("svg.pd-chart").count() >= 3
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 320, "height": 700})
    assert_no_horizontal_overflow(page)
