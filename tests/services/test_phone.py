"""The catalogue on a phone, in real Chromium: the filter sheet (groups collapsed with the
chosen values in view, "Toon meer", a sticky "Toon N resultaten") and the compare tray;
with and without JavaScript, at 320 px and 200 % text, by keyboard, axe-clean.

SCREENSHOT_DIR=/work/notes saves phone-*.png there to look at."""

import datetime
import os
import re

import pytest
from playwright.sync_api import expect

from services.models import ActivitySession, Service, Theme
from tests.browser import assert_no_axe_violations, assert_no_horizontal_overflow
from tests.factories import make_theme
from tests.services.test_browser import named, new_page, site  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_site(site):  # noqa: F811
    """The browser site, plus themes enough for "Toon meer" and a weekly session."""
    walk = Service.objects.get(slug="wandelgroep-de-stappers")
    for n in range(7):
        walk.themes.add(make_theme(f"Thema {n}", description="Een thema."))
    ActivitySession.objects.create(
        service=walk,
        kind=ActivitySession.Kind.WEEKLY,
        # Sunday late: "Deze week" whatever day the test runs (but Sunday's last minute).
        weekday=7,
        starts_at=datetime.time(23),
        ends_at=datetime.time(23, 59),
    )
    return site


def shoot(page, name, full_page=True):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"phone-{name}.png"), full_page=full_page)


def larger_text(page):
    """200 % text: the root font size doubled (as a browser's text-size setting does)."""
    page.evaluate("document.documentElement.style.fontSize = '200%'")


def test_groups_are_rendered_closed_with_the_chosen_values_in_the_summary(browser, phone_site):
    for javascript in (True, False):
        page = new_page(browser, javascript=javascript, width=390)
        page.goto(phone_site + "/aanbod/?kosten=gratis")
        panel = page.locator("#filters-panel")
        assert panel.get_attribute("open") is None  # results first on a phone
        first_card = page.locator(".card").first.bounding_box()
        assert first_card["y"] < 900  # the first result is on the first screen
        panel.locator("> summary").click()
        costs = page.locator("#groep-kosten")
        assert costs.get_attribute("open") is None
        expect(costs.locator("> summary")).to_have_text(re.compile(r"Kosten\s+gekozen: Gratis"))
        button = page.locator(".filters__apply")
        expect(button).to_have_text("Toon 2 resultaten")
        # The sticky button stays on screen at the bottom of the open sheet.
        box = button.bounding_box()
        assert box["y"] + box["height"] <= 900 + 1
        shoot(page, f"390-sheet{'' if javascript else '-nojs'}")
        page.context.close()


def test_long_lists_show_five_and_toon_meer_without_javascript(browser, phone_site):
    page = new_page(browser, javascript=False, width=320)
    page.goto(phone_site + "/aanbod/")
    page.locator("#filters-panel > summary").click()
    page.locator("#groep-thema > summary").click()
    visible = page.locator("#groep-thema .facet__option:visible")
    expect(visible).to_have_count(5)
    more = page.locator("#meer-thema > summary")
    expect(more).to_contain_text("Toon meer (3)")
    more.click()
    expect(visible).to_have_count(8)
    expect(more).to_contain_text("Toon minder")
    page.locator("#f-thema-thema-6").check()
    page.locator(".filters__apply").click()
    expect(page.locator("#result-count")).to_contain_text("1 resultaat")
    # The chosen value is in the summary, and its "Toon meer" opens by itself.
    expect(page.locator("#groep-thema > summary")).to_contain_text("Thema 6")
    assert page.locator("#meer-thema").get_attribute("open") is not None
    assert_no_horizontal_overflow(page)
    shoot(page, "320-nojs-filtered")


def test_with_javascript_the_count_and_open_groups_survive_a_swap(browser, phone_site):
    page = new_page(browser, width=390)
    page.goto(phone_site + "/aanbod/")
    expect(page.locator(".filters__apply")).to_have_text("Toon 3 resultaten")
    page.locator("#filters-panel > summary").click()
    page.locator("#groep-kosten > summary").click()
    box = page.locator("#f-kosten-gratis")
    box.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile("kosten=gratis"))
    expect(page.locator(".filters__apply")).to_have_text("Toon 2 resultaten")
    assert page.locator("#groep-kosten").get_attribute("open") is not None
    expect(page.locator("#f-kosten-gratis")).to_be_focused()
    expect(page.locator("#groep-kosten > summary")).to_contain_text("Gratis")
    # The focused checkbox is not hidden under the sticky button (WCAG 2.4.11).
    focused = page.locator("#f-kosten-gratis").bounding_box()
    bar = page.locator(".filters__bar").bounding_box()
    assert focused["y"] + focused["height"] <= bar["y"] or focused["y"] >= bar["y"] + bar["height"]
    assert_no_axe_violations(page)


def test_the_wanneer_facet_is_offered(browser, phone_site):
    page = new_page(browser, width=1280)
    page.goto(phone_site + "/aanbod/")
    group = page.locator("#groep-wanneer")
    group.locator("> summary").click()
    expect(group.get_by_label(re.compile("^Deze week"))).to_be_visible()
    shoot(page, "1280-catalogue")
    assert_no_axe_violations(page)


CLS_SCRIPT = """() => new Promise(resolve => {
    let total = 0;
    new PerformanceObserver(list => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({type: "layout-shift", buffered: true});
    setTimeout(() => resolve(total), 500);
})"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_panel_shows_as_rendered_without_shift(browser, phone_site, width):
    page = new_page(browser, width=width)
    page.goto(phone_site + "/aanbod/?kosten=gratis")
    summary = page.locator("#filters-panel > summary")
    if width >= 1280:
        expect(summary).to_be_hidden()  # the panel's contents show without it
        expect(page.locator("#groep-kosten > summary")).to_be_visible()
    else:
        expect(summary).to_be_visible()
        expect(page.locator("#groep-kosten > summary")).to_be_hidden()
    shift = page.evaluate(CLS_SCRIPT)
    print(f"CLS at load, {width} px: {shift}")
    assert shift < 0.01, shift


def tray_names(page):
    return page.locator("#compare-tray .tray__name").all_inner_texts()


def test_the_compare_tray_follows_and_keeps_focus(browser, phone_site):
    page = new_page(browser, width=390)
    page.goto(phone_site + "/aanbod/")
    expect(page.locator("#compare-tray .tray__inner")).to_have_count(0)
    for name in ("De Luisterlijn", "Koffieochtend"):
        button = page.get_by_role("button", name=named("Vergelijk", name))
        button.focus()
        page.keyboard.press("Enter")
        pressed = page.get_by_role("button", name=named("Vergelijken", name))
        expect(pressed).to_be_focused()
    expect(page.locator("#tray-link")).to_have_text("Vergelijk 2 diensten")
    assert tray_names(page) == ["De Luisterlijn", "Koffieochtend"]
    # It stays in view at the bottom while the visitor scrolls the results.
    page.mouse.wheel(0, 200)
    tray = page.locator("#compare-tray .tray__inner").bounding_box()
    assert tray["y"] + tray["height"] <= 900 + 1
    shoot(page, "390-tray")
    # Remove one from the tray: focus moves to the next remove button, the card updates.
    page.get_by_role("button", name="De Luisterlijn niet meer vergelijken").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#tray-link")).to_have_text("Vergelijk 1 dienst")
    expect(page.get_by_role("button", name="Koffieochtend niet meer vergelijken")).to_be_focused()
    expect(page.get_by_role("button", name=named("Vergelijk", "De Luisterlijn"))).to_have_attribute(
        "aria-pressed", "false"
    )
    page.keyboard.press("Enter")
    expect(page.locator("#compare-tray .tray__inner")).to_have_count(0)
    coffee = Service.objects.get(name="Koffieochtend").pk
    expect(page.locator(f"#compare-{coffee}-knop")).to_be_focused()
    assert_no_axe_violations(page)


def test_focused_cards_are_not_hidden_under_the_tray(browser, phone_site):
    page = new_page(browser, width=320)
    page.goto(phone_site + "/aanbod/")
    larger_text(page)
    for name in ("De Luisterlijn", "Koffieochtend"):
        page.get_by_role("button", name=named("Vergelijk", name)).click()
        expect(page.get_by_role("button", name=named("Vergelijken", name))).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    # Tab through the page: no focused element may end under the sticky tray.
    for _ in range(60):
        page.keyboard.press("Tab")
        hidden = page.evaluate(
            """() => {
                const el = document.activeElement, tray = document.querySelector('.tray__inner');
                if (!tray || !el || tray.contains(el) || el === document.body) return false;
                const a = el.getBoundingClientRect(), b = tray.getBoundingClientRect();
                return a.top >= b.top && a.bottom <= b.bottom + 1;
            }"""
        )
        assert not hidden, page.evaluate("document.activeElement.outerHTML")
    assert_no_horizontal_overflow(page)
    page.locator(".card").nth(1).scroll_into_view_if_needed()
    shoot(page, "320-200pct-tray", full_page=False)


def test_the_tray_works_without_javascript(browser, phone_site):
    page = new_page(browser, javascript=False, width=320)
    page.goto(phone_site + "/aanbod/")
    page.get_by_role("button", name=named("Vergelijk", "Koffieochtend")).click()
    page.get_by_role("button", name=named("Vergelijk", "De Luisterlijn")).click()
    expect(page.locator("#tray-link")).to_have_text("Vergelijk 2 diensten")
    page.get_by_role("button", name="Koffieochtend niet meer vergelijken").click()
    expect(page.locator("#tray-link")).to_have_text("Vergelijk 1 dienst")
    assert tray_names(page) == ["De Luisterlijn"]
    assert_no_horizontal_overflow(page)
    page.locator("#tray-link").click()
    expect(page).to_have_url(re.compile("/aanbod/vergelijk/$"))
    expect(page.get_by_text("De Luisterlijn").first).to_be_visible()


@pytest.mark.parametrize("width", [320, 390])
def test_sheet_and_tray_fit_at_200_percent_text(browser, phone_site, width):
    page = new_page(browser, width=width)
    page.goto(phone_site + "/aanbod/?kosten=gratis")
    page.get_by_role("button", name=named("Vergelijk", "De Luisterlijn")).click()
    expect(page.locator("#tray-link")).to_be_visible()
    larger_text(page)
    page.locator("#filters-panel > summary").click()
    for group in page.locator("details.facet").all():
        group.locator("> summary").click()
    assert_no_horizontal_overflow(page)
    assert_no_axe_violations(page)
    page.locator("#groep-kosten").scroll_into_view_if_needed()
    shoot(page, f"{width}-200pct-sheet", full_page=False)
    assert Theme.objects.count() >= 8
