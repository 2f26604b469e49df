"""Requests made trustworthy before any view: control characters, proxies, cookies, error pages."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from sociale_kaart.middleware import client_ip


@pytest.mark.parametrize(
    "path", ["/aanbod/?q=koffie%00", "/aanbod/?pagina=%01", "/aanbod/?%00=x", "/aanbod/%00/"]
)
def test_control_characters_in_the_url_get_a_dutch_400_before_any_query(
    client, db, path, django_assert_max_num_queries
):
    # Only the site header's default municipality is read; nothing the request carried.
    with django_assert_max_num_queries(1) as queries:
        response = client.get(path)
    assert all("koffie" not in query["sql"] for query in queries.captured_queries)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'lang="nl"' in html and "Dit verzoek kunnen we niet lezen" in html


def test_a_cookie_with_a_control_character_is_dropped_not_fatal(client, db):
    client.cookies["gemeente"] = "voorbeeld\x00stad"
    response = client.get(reverse("services:list"))
    assert response.status_code == 200
    assert response.cookies["gemeente"]["max-age"] == 0


def test_form_field_names_with_control_characters_are_refused(client, db):
    response = client.post(reverse("services:municipality"), {"gem\x00eente": "x"})
    assert response.status_code == 400


def _seen_address(settings, remote, forwarded=None, proto=None):
    seen = {}

    def view(request):
        seen["ip"] = client_ip(request)
        seen["secure"] = request.is_secure()
        from django.http import HttpResponse

        return HttpResponse()

    from sociale_kaart.middleware import TrustedProxyMiddleware

    middleware = TrustedProxyMiddleware(view)
    from django.test import RequestFactory

    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    if proto:
        extra["HTTP_X_FORWARDED_PROTO"] = proto
    middleware(RequestFactory().get("/", **extra))
    return seen


def test_forwarded_headers_count_only_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.1.0.0/16"]
    assert _seen_address(settings, "10.1.2.3", "198.51.100.7, 10.1.9.9", "https") == {
        "ip": "198.51.100.7",
        "secure": True,
    }
    # A client's own X-Forwarded-For to the left of the real one proves nothing.
    assert _seen_address(settings, "10.1.2.3", "1.2.3.4, 198.51.100.7")["ip"] == "198.51.100.7"
    # From anyone else, both headers are ignored.
    assert _seen_address(settings, "203.0.113.9", "1.2.3.4", "https") == {
        "ip": "203.0.113.9",
        "secure": False,
    }


def test_every_cookie_is_secure_under_secure_ssl(client, catalogue_world, settings):
    settings.COOKIES_SECURE = True
    response = client.post(reverse("services:municipality"), {"gemeente": "hierdorp"})
    assert response.cookies["gemeente"]["secure"] is True
    assert response.cookies["messages"]["secure"] is True
    response = client.get(reverse("services:list"), {"q": "vervoer zondag"})
    assert response.cookies["gezocht"]["secure"] is True


def test_permissions_policy_on_every_answer(client, db):
    for path in ("/", "/bestaat-niet/", "/aanbod/?q=%00"):
        assert "camera=()" in client.get(path)["Permissions-Policy"]


def test_error_pages_are_dutch_and_in_the_site_layout(client, db):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'lang="nl"' in html and "Deze pagina bestaat niet" in html and "site-header" in html
    response = client.get(reverse("phonedesk:search"))
    assert response.status_code == 405
    assert "Dit kan op deze manier niet" in response.content.decode()
    assert response["Allow"] == "POST"
    assert "Er ging iets mis" in render_to_string("500.html")


def test_a_missing_csrf_cookie_gets_the_dutch_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("services:municipality"), {"gemeente": "x"})
    assert response.status_code == 403
    assert "Het formulier is verlopen" in response.content.decode()


@pytest.fixture
def catalogue_world(db):
    from tests.services.curation_fixtures import build_world

    return build_world()
