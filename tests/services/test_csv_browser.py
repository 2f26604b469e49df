"""The CSV import in real Chromium, as a curator: template, one upload, check, Importeer.

Counts the clicks and keystrokes of the journey at 1280 and 390 px and checks axe on the
import page before and after the check."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from services.models import Service
from tests.browser import assert_no_axe_violations, assert_no_horizontal_overflow
from tests.services.curation_fixtures import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILE = (
    "naam;aanbieder;bereik;gemeenten;individueel of groep;buitenshuis;samenvatting\n"
    "Taalcafé;Eigen Welzijn;In de gemeente;Hierdorp;In een groep;ja;Samen Nederlands praten.\n"
    "Wandelclub;Ander Huis;In de gemeente;Hierdorp;In een groep;ja;Elke week een uur lopen.\n"
)


class Counted:
    """The page, with every click and key press counted."""

    def __init__(self, page):
        self.page, self.clicks, self.keys = page, 0, 0

    def click(self, locator):
        locator.click()
        self.clicks += 1

    def choose_file(self, locator, path):
        # In a browser: one click on "Bestand kiezen", then the file in the system dialog.
        locator.set_input_files(path)
        self.clicks += 1


@pytest.mark.parametrize("width", [1280, 390])
def test_a_curator_imports_a_file_in_one_upload(page, live_server, tmp_path, width):
    world = build_world()
    slug = world.neighbour.slug
    path = tmp_path / "diensten.csv"
    path.write_text(
        FILE.replace("naam;", "kenmerk (webadres);naam;")
        .replace("\nTaalcafé;", "\n;Taalcafé;")
        .replace("\nWandelclub;", f"\n{slug};Wandelclub;"),
        encoding="utf-8",
    )
    client = Client()
    client.force_login(world.curator)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + reverse("admin:services_service_changelist"))
    journey = Counted(page)

    journey.click(page.get_by_role("link", name="Importeren uit CSV", exact=True))
    expect(page.get_by_role("heading", name="Diensten importeren uit CSV")).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_horizontal_overflow(page)
    with page.expect_download() as download:
        journey.click(page.get_by_role("link", name="Download het sjabloon (CSV)", exact=True))
    template = download.value.path().read_text(encoding="utf-8-sig")
    assert template.startswith("kenmerk (webadres);naam;aanbieder;")

    journey.choose_file(page.get_by_label("CSV-bestand"), path)
    journey.click(page.get_by_role("button", name="Controleren", exact=True))
    expect(
        page.get_by_text("1 nieuw, 1 bijwerken, 0 zonder wijzigingen, 0 met fouten.")
    ).to_be_visible()
    rows = page.get_by_role("table", name="Per regel van het bestand").get_by_role("row")
    expect(rows.nth(1)).to_contain_text("nieuw")
    expect(rows.nth(2)).to_contain_text("bijwerken: samenvatting")
    assert Service.objects.filter(name="Taalcafé").count() == 0  # the check wrote nothing
    assert_no_axe_violations(page)
    assert_no_horizontal_overflow(page)

    journey.click(page.get_by_role("button", name="Importeer", exact=True))
    expect(
        page.get_by_text("Import klaar: 1 nieuw, 1 bijgewerkt, 0 zonder wijzigingen.")
    ).to_be_visible()
    assert Service.objects.get(name="Taalcafé").format == Service.Format.GROUP
    assert Service.objects.get(pk=world.neighbour.pk).summary == "Elke week een uur lopen."
    # Changelist -> import page, template, choose the file, Controleren, Importeer.
    assert (journey.clicks, journey.keys) == (5, 0)


def test_a_wrong_value_is_explained_in_the_browser(page, live_server, tmp_path):
    world = build_world()
    path = tmp_path / "diensten.csv"
    path.write_text(FILE.replace("In een groep;ja;Samen", "groep ;ja;Samen"), encoding="utf-8")
    client = Client()
    client.force_login(world.curator)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto(live_server.url + reverse("admin:services_service_import"))
    page.get_by_label("CSV-bestand").set_input_files(path)
    page.get_by_role("button", name="Controleren", exact=True).click()
    expect(
        page.get_by_text("'groep ' is geen geldige waarde voor Individueel of groep")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Importeer", exact=True)).to_have_count(0)
    assert_no_axe_violations(page)
