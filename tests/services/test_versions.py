"""Invalidation per municipality: an edit bumps the versions of exactly what it touches, and
cached pages of other municipalities stay warm (services/versions.py, services/signals.py)."""

import pytest
from django.core.cache import cache
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services import versions
from services.models import Service
from tests.factories import make_municipality, make_service, make_theme

pytestmark = pytest.mark.django_db
LIST = reverse("services:list")


@pytest.fixture
def places(settings):
    home = make_municipality("Thuisstad", slug="thuisstad")
    other = make_municipality("Anderstad", slug="anderstad")
    settings.DEFAULT_MUNICIPALITY = "thuisstad"
    return {
        "home": home,
        "other": other,
        "walk": make_service("Wandelgroep Thuis", municipalities=[home]),
        "coffee": make_service("Koffieochtend Ander", municipalities=[other]),
        "line": make_service("De Landelijke Lijn"),
    }


def snapshot(*municipalities):
    scopes = [versions.ALL, versions.NATIONAL, versions.TERMS] + [
        versions.municipality(m.pk) for m in municipalities
    ]
    return dict(zip(scopes, versions.current(scopes), strict=True))


def moved(before, after):
    return {scope for scope in before if before[scope] != after[scope]}


def test_editing_a_local_service_bumps_only_its_municipality(places):
    home, other = places["home"], places["other"]
    before = snapshot(home, other)
    places["walk"].summary = "Elke dinsdag een uur wandelen."
    places["walk"].save()
    assert moved(before, snapshot(home, other)) == {versions.ALL, f"m{home.pk}"}


def test_editing_a_national_service_bumps_national_but_no_municipality(places):
    home, other = places["home"], places["other"]
    before = snapshot(home, other)
    places["line"].summary = "Dag en nacht."
    places["line"].save()
    assert moved(before, snapshot(home, other)) == {versions.ALL, versions.NATIONAL}


def test_a_national_service_made_local_bumps_where_it_was_and_where_it_goes(places):
    home, other = places["home"], places["other"]
    line = places["line"]
    before = snapshot(home, other)
    line.scope = Service.Scope.LOCAL
    line.save()
    line.municipalities.set([other])
    assert moved(before, snapshot(home, other)) == {
        versions.ALL,
        versions.NATIONAL,
        f"m{other.pk}",
    }


def test_moving_a_service_to_another_municipality_bumps_both(places):
    home, other = places["home"], places["other"]
    before = snapshot(home, other)
    places["walk"].municipalities.set([other])
    assert moved(before, snapshot(home, other)) == {versions.ALL, f"m{home.pk}", f"m{other.pk}"}


def test_deleting_a_service_bumps_where_it_was_shown(places):
    home, other = places["home"], places["other"]
    before = snapshot(home, other)
    places["coffee"].delete()
    assert moved(before, snapshot(home, other)) == {versions.ALL, f"m{other.pk}"}


def test_renaming_an_organisation_bumps_the_places_of_its_services(places):
    home, other = places["home"], places["other"]
    before = snapshot(home, other)
    organisation = places["coffee"].organisation
    organisation.name = "Stichting Anders"
    organisation.save()
    assert moved(before, snapshot(home, other)) == {versions.ALL, f"m{other.pk}"}


def test_opening_hours_bump_the_places_of_their_service(places):
    """The Wanneer counts read a location's hours: a change there is a catalogue change."""
    import datetime

    from services.models import Location, OpeningPeriod

    home, other = places["home"], places["other"]
    before = snapshot(home, other)
    place = Location.objects.create(service=places["line"], name="Kantoor")
    assert moved(before, snapshot(home, other)) == {versions.ALL, versions.NATIONAL}
    before = snapshot(home, other)
    place = Location.objects.create(service=places["walk"], name="Buurthuis")
    assert moved(before, snapshot(home, other)) == {versions.ALL, f"m{home.pk}"}
    before = snapshot(home, other)
    OpeningPeriod.objects.create(
        location=place, weekday=1, opens=datetime.time(9), closes=datetime.time(12)
    )
    assert moved(before, snapshot(home, other)) == {versions.ALL, f"m{home.pk}"}


def test_a_theme_change_bumps_the_terms_every_page_depends_on(places):
    before = snapshot(places["home"])
    make_theme("Rouw")
    assert moved(before, snapshot(places["home"])) == {versions.ALL, versions.TERMS}


def test_bulk_writes_bump_exactly_the_places_of_the_services_they_touch(
    places, django_assert_num_queries
):
    home, other = places["home"], places["other"]
    before = snapshot(home, other)
    ids = [places["coffee"].pk]
    with django_assert_num_queries(2):
        versions.bump_services(ids)
    assert moved(before, snapshot(home, other)) == {versions.ALL, f"m{other.pk}"}


def test_an_evicted_version_comes_back_higher_so_old_entries_are_never_read(places):
    key = versions.PREFIX + versions.municipality(places["home"].pk)
    (first,) = versions.current([versions.municipality(places["home"].pk)])
    for _ in range(3):
        versions.bump([places["home"].pk])
    (bumped,) = versions.current([versions.municipality(places["home"].pk)])
    cache.delete(key)
    (fresh,) = versions.current([versions.municipality(places["home"].pk)])
    assert first < bumped < fresh


def test_a_cached_catalogue_stays_warm_when_another_municipality_changes(client, places):
    from django.db import connection

    url_home = f"{LIST}?gemeente=thuisstad"
    client.get(url_home)
    with CaptureQueriesContext(connection) as warm:
        client.get(url_home)
    # An edit in the other municipality: the home page is served from the cache as before.
    places["coffee"].summary = "Nu ook op vrijdag."
    places["coffee"].save()
    with CaptureQueriesContext(connection) as after_other:
        body = client.get(url_home).content.decode()
    assert len(after_other.captured_queries) == len(warm.captured_queries)
    assert "Wandelgroep Thuis" in body
    # An edit at home shows at once (new service, new count).
    make_service("Buurtkamer Thuis", municipalities=[places["home"]])
    with CaptureQueriesContext(connection) as after_home:
        response = client.get(url_home)
    assert len(after_home.captured_queries) > len(warm.captured_queries)
    assert "Buurtkamer Thuis" in response.content.decode()
    assert response.context["total"] == 3  # two at home, one national


def test_cached_cards_follow_an_edit_at_once_and_keep_each_visitors_buttons(client, places):
    url_home = f"{LIST}?gemeente=thuisstad"
    assert "Wandelgroep Thuis" in client.get(url_home).content.decode()
    walk = places["walk"]
    walk.name = "Wandelgroep Thuis en Terug"
    walk.save()
    assert "Wandelgroep Thuis en Terug" in client.get(url_home).content.decode()
    walk.organisation.name = "Stichting Stap"
    walk.organisation.save()
    assert "Door Stichting Stap" in client.get(url_home).content.decode()
    # The card's text is shared; whether it is on this visitor's list is not.
    client.post(reverse("services:toggle_shortlist", args=[walk.slug]))
    body = client.get(url_home).content.decode()
    assert 'aria-pressed="true"' in body
    from django.test import Client

    assert 'aria-pressed="true"' not in Client().get(url_home).content.decode()
