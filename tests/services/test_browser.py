"""The resident's path in a real headless Chromium: with JavaScript, without it, by keyboard,
at 320 px, with zero axe-core violations."""

import re

import pytest
from playwright.sync_api import expect

from services.models import Service
from tests.browser import assert_no_axe_violations, assert_no_horizontal_overflow
from tests.factories import (
    make_municipality,
    make_organisation,
    make_service,
    make_support_type,
    make_target_group,
    make_theme,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(settings, live_server):
    home = make_municipality("Voorbeeldstad", slug="voorbeeldstad")
    settings.DEFAULT_MUNICIPALITY = "voorbeeldstad"
    older = make_target_group("Ouderen", description="Mensen van 75 jaar en ouder.")
    carers = make_target_group("Mantelzorgers", description="Mensen die zorgen voor een naaste.")
    meeting = make_support_type("Ontmoeten", description="Andere mensen leren kennen.")
    contact = make_support_type("Persoonlijk contact", description="Iemand die naar u luistert.")
    theme = make_theme("Sociale eenzaamheid", description="Te weinig mensen om u heen.")
    org = make_organisation("Welzijn Voorbeeldstad", website="https://welzijn.example.org")
    make_service(
        "Wandelgroep De Stappers",
        organisation=org,
        municipalities=[home],
        target_groups=[older],
        support_types=[meeting],
        themes=[theme],
        format=Service.Format.GROUP,
        cost=Service.Cost.FREE,
        summary="Elke dinsdag samen wandelen in het park.",
    )
    make_service(
        "Koffieochtend",
        organisation=org,
        municipalities=[home],
        target_groups=[older, carers],
        support_types=[meeting],
        themes=[theme],
        format=Service.Format.GROUP,
        cost=Service.Cost.PAID,
        cost_amount=2,
        cost_unit=Service.CostUnit.PER_TIME,
        summary="Samen koffie drinken in het buurthuis.",
    )
    make_service(
        "De Luisterlijn",
        target_groups=[older, carers],
        support_types=[contact],
        themes=[theme],
        by_phone=True,
        out_of_home=False,
        cost=Service.Cost.FREE,
        summary="Dag en nacht iemand om mee te praten.",
    )
    return live_server.url


def named(action, service):
    """A button's accessible name: the visible action plus the service it acts on."""
    return re.compile(rf"^{action}\W+{re.escape(service)}$")


def with_ids(path):
    ids = ".".join(str(pk) for pk in Service.objects.order_by("pk").values_list("pk", flat=True))
    return path.replace("{ids}", ids)


def new_page(browser, *, javascript=True, width=1280):
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": width, "height": 900}
    )
    return context.new_page()


PAGES = [
    ("home", "/"),
    ("catalogue", "/aanbod/"),
    ("filtered", "/aanbod/?kosten=gratis&vorm=groep"),
    ("zero results", "/aanbod/?kosten=paid&waar=by_phone"),
    ("search", "/aanbod/?q=wandel"),
    # A corrected typo, a filter word offered as the filter, and a word that found nothing.
    ("search notices", "/aanbod/?q=gratis+wandelen+luistrelijn+qqqxyz"),
    ("detail", "/aanbod/de-luisterlijn/"),
    ("compare", "/aanbod/vergelijk/?d={ids}"),
    ("shortlist", "/mijn-lijst/?d={ids}"),
    ("municipality", "/gemeente/"),
]


@pytest.mark.parametrize(("name", "path"), PAGES)
def test_public_pages_have_no_axe_violations(browser, site, name, path):
    page = new_page(browser)
    assert page.goto(site + with_ids(path)).ok
    assert_no_axe_violations(page)


@pytest.mark.parametrize(("name", "path"), PAGES)
def test_public_pages_fit_a_320px_screen(browser, site, name, path):
    page = new_page(browser, width=320)
    assert page.goto(site + with_ids(path)).ok
    assert_no_horizontal_overflow(page)
    assert_no_axe_violations(page)


def test_keyboard_path_with_javascript(browser, site):
    page = new_page(browser)
    page.goto(site + "/")
    page.keyboard.press("Tab")  # skip link first
    page.locator("#q").focus()
    page.keyboard.type("koffie")
    # The autocomplete offers the service; the arrow key and Enter open it.
    expect(page.locator("#q-suggesties [role=option]").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#q")).to_have_attribute("aria-activedescendant", re.compile("suggestie-"))
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/aanbod/\?q=koffie"))
    expect(page.locator("#result-count")).to_contain_text("1 resultaat")

    # Clear the search, then filter with the keyboard: htmx updates the list and the URL.
    page.goto(site + "/aanbod/")
    page.locator("#groep-kosten > summary").focus()
    page.keyboard.press("Enter")  # open the group
    page.locator("#f-kosten-gratis").focus()
    page.keyboard.press("Space")
    expect(page.locator("#result-count")).to_contain_text("2 resultaten")
    expect(page).to_have_url(re.compile(r"kosten=gratis"))
    expect(page.locator("#f-kosten-gratis")).to_be_focused()

    # Remove the chip by keyboard.
    chip = page.get_by_role("link", name=re.compile("Kosten: Gratis"))
    chip.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#result-count")).to_contain_text("3 resultaten")

    # The back button restores the filtered page.
    page.go_back()
    expect(page.locator("#result-count")).to_contain_text("2 resultaten")

    # Keep two services and compare them, by keyboard.
    page.goto(site + "/aanbod/")
    for name in ("De Luisterlijn", "Koffieochtend"):
        button = page.get_by_role("button", name=named("Vergelijk", name))
        button.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name=named("Vergelijken", name))).to_have_attribute(
            "aria-pressed", "true"
        )
    save = page.get_by_role("button", name=named("Bewaar", "De Luisterlijn"))
    save.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=named("Bewaard", "De Luisterlijn"))).to_be_visible()

    page.goto(site + "/aanbod/vergelijk/")
    expect(page.locator("table.compare th[scope=col]")).to_have_count(2)
    expect(page.locator("tr.is-different").first).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(site + "/mijn-lijst/")
    expect(page.get_by_role("heading", name="De Luisterlijn")).to_be_visible()
    share = page.locator("#share-link").input_value()
    assert re.search(r"/mijn-lijst/\?d=\d+$", share)

    # Open the detail page from a result by keyboard.
    page.goto(site + "/aanbod/")
    page.get_by_role("link", name="De Luisterlijn", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("De Luisterlijn")


def test_path_without_javascript(browser, site):
    page = new_page(browser, javascript=False)
    page.goto(site + "/")
    page.locator("#q").fill("wandel")
    page.keyboard.press("Enter")
    expect(page.locator("#result-count")).to_contain_text("1 resultaat")

    page.goto(site + "/aanbod/")
    page.locator("#groep-kosten > summary").click()  # groups are collapsed
    page.locator("#f-kosten-gratis").check()
    page.get_by_role("button", name="Toon 3 resultaten").click()
    expect(page).to_have_url(re.compile(r"kosten=gratis"))
    expect(page.locator("#result-count")).to_contain_text("2 resultaten")
    page.get_by_role("link", name=re.compile("Kosten: Gratis")).click()
    expect(page.locator("#result-count")).to_contain_text("3 resultaten")

    page.get_by_role("button", name=named("Bewaar", "Koffieochtend")).click()
    expect(page.get_by_text("Koffieochtend staat op uw lijst.")).to_be_visible()
    page.get_by_role("button", name=named("Vergelijk", "Koffieochtend")).click()
    page.get_by_role("button", name=named("Vergelijk", "De Luisterlijn")).click()
    page.goto(site + "/aanbod/vergelijk/")
    expect(page.locator("table.compare th[scope=col]")).to_have_count(2)
    page.goto(site + "/mijn-lijst/")
    expect(page.get_by_role("heading", name="Koffieochtend")).to_be_visible()

    page.goto(site + "/aanbod/de-luisterlijn/")
    page.get_by_label("De informatie klopt niet meer").check()
    page.wait_for_timeout(3100)  # the form refuses answers faster than a person can type
    page.get_by_role("button", name="Verstuur melding").click()
    expect(page.get_by_text("Dank u wel. Wij kijken naar uw melding.")).to_be_visible()
    assert Service.objects.get(slug="de-luisterlijn").error_reports.count() == 1


def _many_services(count=45):
    home = Service.objects.filter(scope=Service.Scope.LOCAL).first().municipalities.first()
    for n in range(count):
        make_service(
            f"Activiteit {n:02d}",
            municipalities=[home],
            cost=Service.Cost.FREE if n % 2 else Service.Cost.PAID,
            summary="Een activiteit in de buurt, om andere mensen te ontmoeten.",
        )


def test_a_filter_change_keeps_scroll_focus_and_the_panel_as_they_were(browser, site):
    _many_services()
    page = new_page(browser, width=390)
    page.goto(site + "/aanbod/")
    panel = page.locator("#filters-panel")
    panel.locator("> summary").click()  # closed on a phone: the visitor opens it
    page.locator("#groep-kosten > summary").click()
    box = page.locator("#f-kosten-gratis")
    box.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    box.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile("kosten=gratis"))
    expect(box).to_be_checked()
    page.wait_for_timeout(300)
    after = page.evaluate("window.scrollY")
    assert abs(after - before) < 5, (before, after)
    assert page.evaluate("document.activeElement.id") == "f-kosten-gratis"
    assert page.evaluate("document.getElementById('filters-panel').open") is True
    assert "kosten=gratis" in page.url and "gemeente=voorbeeldstad" in page.url
    assert "resultaten" in page.title()


def test_a_page_link_moves_focus_to_the_count_and_the_view_to_the_results(browser, site):
    _many_services()
    page = new_page(browser)
    page.goto(site + "/aanbod/")
    page.get_by_role("link", name=re.compile("^Volgende")).first.click()
    expect(page).to_have_url(re.compile("pagina=2"))
    page.wait_for_timeout(300)
    assert page.evaluate("document.activeElement.id") == "result-count"
    top = page.evaluate("document.querySelector('.results-region').getBoundingClientRect().top")
    assert -5 < top < 200
    assert page.get_by_role("link", name=re.compile("^Vorige")).count() == 1


def test_sorting_applies_at_once_with_javascript(browser, site):
    page = new_page(browser)
    page.goto(site + "/aanbod/")
    page.select_option("#sorteer", "cost")
    expect(page).to_have_url(re.compile("sorteer=cost"))
    first = page.locator(".results .card__title").first.inner_text()
    assert first in ("De Luisterlijn", "Wandelgroep De Stappers")  # free ones first
