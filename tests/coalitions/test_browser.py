"""The public coalition pages in real Chromium: axe (WCAG 2.1 AA) and no sideways scrolling."""

import pytest
from django.urls import reverse

from coalitions import demo
from coalitions.models import Coalition
from tests.browser import assert_no_axe_violations, assert_no_horizontal_overflow

from .factories import make_coalition, make_goal, make_indicator, make_measurement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pages(live_server):
    demo.load()
    coalition = Coalition.objects.get()
    # The three chart states side by side: none, one and many measurements.
    goal = make_goal(coalition, title="Een doel met weinig metingen")
    make_indicator(goal, name="Nog niet gemeten")
    single = make_indicator(goal, name="Eén keer gemeten")
    make_measurement(single, "2024-03-01", "38")
    make_coalition("Tweede coalitie", municipality=coalition.municipality)
    return [
        live_server.url + reverse("coalitions:list"),
        live_server.url + coalition.get_absolute_url(),
    ]


def test_coalition_pages_have_no_axe_violations(page, pages):
    for url in pages:
        page.goto(url)
        assert_no_axe_violations(page)


def test_coalition_pages_fit_a_small_phone(page, pages):
    page.set_viewport_size({"width": 320, "height": 640})
    for url in pages:
        page.goto(url)
        assert_no_horizontal_overflow(page)


def test_table_of_measurements_opens_without_javascript(browser, pages):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(pages[1])
        summary = page.get_by_text("Bekijk de metingen als tabel").first
        summary.click()
        assert page.locator("details[open] table").first.is_visible()
    finally:
        context.close()
