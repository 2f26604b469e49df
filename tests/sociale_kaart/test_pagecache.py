"""Whole public pages from the shared cache: never one visitor's state for another, never a
stale version, a fresh CSRF token per answer, and no cache at all for sessions and staff."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from services.models import Location
from tests.factories import make_municipality, make_service, make_theme

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


def cached(client, url):
    """True when the page came from the page cache, after it has been made once."""
    return get(client, url)[0]["X-Page-Cache"] == "hit"


def test_a_service_page_outlives_edits_elsewhere_and_ends_with_its_own(db):
    """A service page is kept under the versions of where the service is offered and of the
    visitor's view: an edit in another municipality leaves it, every edit of what it shows
    (the service, its location, its organisation, its place, a related service) ends it."""
    north, south, far = (make_municipality(n) for n in ("Noorddorp", "Zuiddorp", "Verweg"))
    walking = make_theme("Wandelen")
    service = make_service("Wandelclub Noord", municipalities=[north], themes=[walking])
    related = make_service("Wandelmaatje Noord", municipalities=[north], themes=[walking])
    elsewhere = make_service("Breicafe Verweg", municipalities=[far], themes=[walking])
    national = make_service("Landelijke luisterlijn", themes=[walking])
    visitor = Client()
    visitor.cookies["gemeente"] = north.slug
    page = reverse("services:detail", kwargs={"slug": service.slug})
    national_page = reverse("services:detail", kwargs={"slug": national.slug})
    for url in (page, national_page):
        assert get(visitor, url)[0]["X-Page-Cache"] == "miss"
        assert cached(visitor, url)

    elsewhere.summary = "Nu ook op vrijdag."
    elsewhere.save()
    assert cached(visitor, page) and cached(visitor, national_page)

    # The related services of the visitor's view are on the page.
    related.name = "Wandelmaatje Noorderpark"
    related.save()
    response, html = get(visitor, page)
    assert response["X-Page-Cache"] == "miss" and "Wandelmaatje Noorderpark" in html
    assert get(visitor, national_page)[0]["X-Page-Cache"] == "miss"

    Location.objects.create(service=service, name="Buurthuis De Linde", municipality=north)
    response, html = get(visitor, page)
    assert response["X-Page-Cache"] == "miss" and "Buurthuis De Linde" in html
    assert cached(visitor, page)

    organisation = service.organisation
    organisation.name = "Stichting Stap voor Stap"
    organisation.save()
    response, html = get(visitor, page)
    assert response["X-Page-Cache"] == "miss" and "Stichting Stap voor Stap" in html

    # A visitor from another municipality: the service's own place still counts.
    other = Client()
    other.cookies["gemeente"] = south.slug
    get(other, page)
    assert cached(other, page)
    service.summary = "Elke week een andere route."
    service.save()
    response, html = get(other, page)
    assert response["X-Page-Cache"] == "miss" and "Elke week een andere route." in html
    service.municipalities.add(south)
    assert get(other, page)[0]["X-Page-Cache"] == "miss"
    assert cached(other, page)
    service.municipalities.remove(north)
    assert get(other, page)[0]["X-Page-Cache"] == "miss"

    # A national service: any national edit ends it (it is national, and in every view).
    get(visitor, national_page)
    assert cached(visitor, national_page)
    national.summary = "Dag en nacht bereikbaar."
    national.save()
    response, html = get(visitor, national_page)
    assert response["X-Page-Cache"] == "miss" and "Dag en nacht bereikbaar." in html


def test_a_service_page_whose_place_moved_while_it_was_made_is_not_kept(db, monkeypatch):
    """The versions are read for where the service was offered a moment before the page read
    it; when the page finds it elsewhere (a curator moved it in between), it is not kept."""
    from services.catalogue.views import ServiceDetailView

    north = make_municipality("Noorddorp")
    service = make_service("Wandelclub Noord", municipalities=[north])
    monkeypatch.setattr(ServiceDetailView, "place_of", staticmethod(lambda slug: (True, set())))
    client = Client()
    url = reverse("services:detail", kwargs={"slug": service.slug})
    for _ in range(2):
        response, html = get(client, url)
        assert "X-Page-Cache" not in response and "Wandelclub Noord" in html


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
