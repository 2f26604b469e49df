"""Whole public pages from the shared cache: never one visitor's state for another, never a
stale version, a fresh CSRF token per answer, and no cache at all for sessions and staff."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from tests.factories import make_municipality, make_service

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
NONCE_RE = re.compile(r'nonce="([^"]+)"')


def per_answer(html):
    """The page without what differs per answer (token, nonce)."""
    return NONCE_RE.sub("", TOKEN_RE.sub("", html))


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


@pytest.fixture
def services(db):
    return [make_service(f"Koffieochtend {n}") for n in range(3)]


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_same_request_is_answered_from_the_cache_without_a_query(
    services, django_assert_num_queries
):
    url = reverse("services:list") + "?q=koffieochtend"
    client = Client()
    first, html = get(client, url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second, again = get(client, url)
    assert second["X-Page-Cache"] == "hit"
    assert per_answer(again) == per_answer(html)
    nonces = set(NONCE_RE.findall(again))
    assert len(nonces) == 1
    assert f"'nonce-{nonces.pop()}'" in second["Content-Security-Policy"]
    assert set(NONCE_RE.findall(again)).isdisjoint(NONCE_RE.findall(html))


def test_one_visitors_list_is_never_shown_to_another(services):
    url = reverse("services:list")
    kept = services[0]
    owner = Client()
    owner.cookies["mijnlijst"] = str(kept.pk)
    _, owners_page = get(owner, url)
    assert owners_page.count("Bewaard") == 1
    stranger = Client()
    response, strangers_page = get(stranger, url)
    assert "Bewaard" not in strangers_page
    assert response.get("X-Page-Cache") == "miss"
    response, owners_again = get(owner, url)
    assert response["X-Page-Cache"] == "hit" and owners_again.count("Bewaard") == 1


def test_each_municipality_cookie_gets_its_own_page(db):
    north, south = make_municipality("Noorddorp"), make_municipality("Zuiddorp")
    make_service("Breicafe Noord", municipalities=[north])
    make_service("Breicafe Zuid", municipalities=[south])
    url = reverse("services:list")
    visitor = Client()
    visitor.cookies["gemeente"] = north.slug
    _, page = get(visitor, url)
    assert "Breicafe Noord" in page and "Breicafe Zuid" not in page
    visitor.cookies["gemeente"] = south.slug
    _, page = get(visitor, url)
    assert "Breicafe Zuid" in page and "Breicafe Noord" not in page


def test_an_edit_ends_the_cached_page_at_once(services):
    url = reverse("services:list")
    client = Client()
    get(client, url)
    assert get(client, url)[0]["X-Page-Cache"] == "hit"
    services[1].name = "Wandelclub De Stap"
    services[1].save()
    response, page = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert "Wandelclub De Stap" in page

    detail = reverse("services:detail", kwargs={"slug": services[2].slug})
    get(client, detail)
    assert get(client, detail)[0]["X-Page-Cache"] == "hit"
    services[2].summary = "Nu op dinsdag."
    services[2].save()
    response, page = get(client, detail)
    assert response["X-Page-Cache"] == "miss" and "Nu op dinsdag." in page


def test_every_answer_has_a_fresh_token_for_its_own_visitor(services):
    url = reverse("services:list")
    tokens = []
    for _ in range(2):
        visitor = Client()
        response, page = get(visitor, url)
        found = TOKEN_RE.findall(page)
        assert found and "\x00" not in page
        secret = visitor.cookies["csrftoken"].value
        assert all(_unmask_cipher_token(token) == secret for token in found)
        tokens.append(found[0])
    assert response["X-Page-Cache"] == "hit"
    assert tokens[0] != tokens[1]
    # And the token works: the language switch posts with it.
    response = visitor.post(
        reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": tokens[1]}
    )
    assert response.status_code == 302


def test_sessions_messages_and_staff_bypass_the_cache(services, admin_user):
    url = reverse("services:list")
    get(Client(), url)
    staff = Client()
    staff.force_login(admin_user)
    response, _ = get(staff, url)
    assert "X-Page-Cache" not in response
    flashed = Client()
    flashed.cookies["messages"] = "x"
    assert "X-Page-Cache" not in get(flashed, url)[0]


def test_a_search_without_results_is_never_cached_so_every_one_is_counted(services):
    from services.signals import search_without_results

    seen = []

    def count(**kwargs):
        seen.append(kwargs["query"])

    search_without_results.connect(count)
    try:
        url = reverse("services:list") + "?q=zzxqj"
        client = Client()
        for _ in range(2):
            response, _ = get(client, url)
            assert "X-Page-Cache" not in response
    finally:
        search_without_results.disconnect(count)
    assert len(seen) == 2
