"""The phone desk in real Chromium: the keyboard flow from question to logged referral, axe."""

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

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
    page.keyboard.press("/")
    assert active_id(page) == "pd-q"

    page.keyboard.type("maatje")
    links = page.locator(".pd-result__link")
    links.nth(1).wait_for()
    assert set(links.all_inner_texts()) == {"Maatje aan de lijn", "Maatje Delft"}
    assert page.locator(".pd-flags").first.inner_text().startswith("Leeftijd past niet")
    assert "2 diensten gevonden" in page.locator("#pd-status").inner_text()

    page.keyboard.press("ArrowDown")
    assert active_text(page) == "Maatje aan de lijn"
    page.keyboard.press("ArrowDown")
    assert active_text(page) == "Maatje Delft"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'pd-panel-title'")
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
    page.keyboard.press("Escape")
    assert active_id(page) == "pd-q"
    assert page.input_value("#pd-q") == ""

    tab_to(page, "pd-finish-link")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'pd-panel-title'")
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
    assert [s.name for s in call.services.all()] == ["Maatje aan de lijn"]
    # Counted once when the staff member moved into the results, not once per keystroke.
    assert list(SearchTermCount.objects.values_list("term", "total", "zero_results")) == [
        ("maatje", 1, 0)
    ]


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
