"""Every public page with the demo data: valid HTML (Nu HTML Checker), axe-core with its best
practices at 320 and 1280 px, and no sideways scrolling at 320 px or at 360 px with 200 % text.

bin/audit runs the same checks plus Lighthouse and prints figures; these tests fail the build.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from coalitions.models import Coalition
from services.models import Service
from tests.browser import (
    AXE_BEST_PRACTICE_TAGS,
    axe_violations,
    horizontal_overflow,
    set_text_size,
)
from tests.factories import make_user

VNU_JAR = Path(__file__).resolve().parents[2] / "node_modules/vnu-jar/build/dist/vnu.jar"


def load_demo_pages():
    """Load the demo data; return [(name, path, cookies)] of the pages to check."""
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    local = Service.objects.published().filter(municipalities__slug="voorbeeldstad")
    detail = local.get(slug="koffieochtend-de-linde").get_absolute_url()
    chosen = ".".join(str(pk) for pk in local.order_by("name").values_list("pk", flat=True)[:3])
    coalition = Coalition.objects.order_by("pk").first().get_absolute_url()
    english = {settings.LANGUAGE_COOKIE_NAME: "en"}
    return [
        ("home", "/", {}),
        ("catalogue", "/aanbod/", {}),
        ("search", "/aanbod/?q=samen+eten", {}),
        ("filters", "/aanbod/?kosten=gratis&vorm=groep", {}),
        ("page-2", "/aanbod/?pagina=2", {}),
        ("no-results", "/aanbod/?q=xqzwv", {}),
        ("detail", detail, {}),
        ("compare", "/aanbod/vergelijk/", {"vergelijk": chosen}),
        ("shortlist", "/mijn-lijst/", {"mijnlijst": chosen}),
        ("coalitions", "/coalities/", {}),
        ("coalition", coalition, {}),
        ("en-home", "/", english),
        ("en-catalogue", "/aanbod/", english),
        ("en-detail", detail, english),
        ("not-found", "/bestaat-niet/", {}),
    ]


def desk_session_cookie():
    from services import roles

    client = Client()
    client.force_login(make_user(groups=[roles.PHONE_DESK]))
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


@pytest.mark.django_db
def test_every_page_is_valid_html(tmp_path):
    """One JVM run of the Nu HTML Checker over the HTML as served, error-report form included."""
    if shutil.which("java") is None or not VNU_JAR.exists():
        pytest.fail("needs java and vnu-jar (npm ci; apt-get install default-jre-headless)")
    pages = load_demo_pages()
    pages.append(("desk", "/telefoon/", desk_session_cookie()))
    for name, path, cookies in pages:
        client = Client()
        client.cookies.load(cookies)
        response = client.get(path)
        assert response.status_code == (404 if name == "not-found" else 200), path
        (tmp_path / f"{name}.html").write_bytes(response.content)
    detail = {name: path for name, path, _ in pages}["detail"]
    report = Client().post(detail + "meld-een-fout/", {"message": ""})
    assert report.status_code == 400
    (tmp_path / "report-with-error.html").write_bytes(report.content)

    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always"]
        + sorted(str(f) for f in tmp_path.glob("*.html")),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    errors = [
        f"{Path(m['url']).stem}:{m.get('lastLine')}: {m['message']}"
        for m in json.loads(run.stderr)["messages"]
        if m["type"] == "error"
    ]
    assert errors == []


@pytest.fixture
def demo_pages(live_server, browser):
    pages = load_demo_pages()
    pages.append(("desk", "/telefoon/", desk_session_cookie()))
    return pages


def open_page(browser, live_server, path, cookies, *, width, height, text_percent=100):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_cookies(
        [{"name": n, "value": v, "url": live_server.url} for n, v in cookies.items()]
    )
    page = context.new_page()
    if text_percent != 100:
        set_text_size(page, text_percent)
    page.goto(live_server.url + path)
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_axe_violations_nor_sideways_scrolling(browser, live_server, demo_pages):
    """axe with best practices at 320 and 1280 px; no sideways scrolling at 320 px nor at
    360 px with 200 % text. One test (the demo data loads once); it lists every failure."""
    found = {}
    for name, path, cookies in demo_pages:
        for width, text_percent in ((320, 100), (1280, 100), (360, 200)):
            context, page = open_page(
                browser,
                live_server,
                path,
                cookies,
                width=width,
                height=740,
                text_percent=text_percent,
            )
            where = f"{name} at {width} px, text {text_percent} %"
            if text_percent == 100 and (violations := axe_violations(page, AXE_BEST_PRACTICE_TAGS)):
                found[where] = violations
            if width < 1000 and (overflow := horizontal_overflow(page)) > 0:
                found[where + ": scrolls sideways by (px)"] = overflow
            context.close()
    assert found == {}
