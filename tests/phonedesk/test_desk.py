"""The phone desk page: caller context, search, read-out, picking and the privacy rules."""

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import reverse

from phonedesk import cards, lookup
from phonedesk.caller import SESSION_KEY
from phonedesk.models import SearchTermCount
from services import presentation as hours
from services import roles, versions
from services.models import Location, OpeningPeriod, Service
from tests.factories import make_service, make_target_group, make_user

HX = {"HX-Request": "true"}


def search(client, q, *, htmx=True, **context):
    data = {"q": q, **context}
    return client.post(reverse("phonedesk:search"), data, headers=HX if htmx else {})


def names(response):
    return re.findall(r'class="pd-result__link"[^>]*>([^<]+)</a>', response.content.decode())


class TestCallerContext:
    def test_local_service_of_another_municipality_never_shows(self, desk_client, catalogue):
        for htmx in (True, False):
            response = search(desk_client, "maatje", htmx=htmx, municipality=catalogue["delft"].pk)
            assert sorted(names(response)) == ["Landelijke maatjeslijn", "Maatje Delft"]

    def test_without_a_municipality_only_national_services_show(self, desk_client, catalogue):
        response = search(desk_client, "maatje", municipality="")
        assert names(response) == ["Landelijke maatjeslijn"]

    def test_panel_of_another_municipalitys_service_is_not_found(self, desk_client, catalogue):
        search(desk_client, "maatje", municipality=catalogue["delft"].pk)
        url = reverse("phonedesk:service", args=[catalogue["other"].pk])
        assert desk_client.get(url, headers=HX).status_code == 404
        own = reverse("phonedesk:service", args=[catalogue["local"].pk])
        assert desk_client.get(own, headers=HX).status_code == 200

    def test_unpublished_service_is_not_found(self, desk_client, catalogue):
        Service.objects.filter(pk=catalogue["national"].pk).update(status=Service.Status.DRAFT)
        url = reverse("phonedesk:service", args=[catalogue["national"].pk])
        assert desk_client.get(url).status_code == 404
        assert names(search(desk_client, "maatje")) == []

    def test_results_follow_catalogue_changes_at_once(self, desk_client, catalogue):
        delft = catalogue["delft"]
        assert sorted(names(search(desk_client, "maatje", municipality=delft.pk))) == [
            "Landelijke maatjeslijn",
            "Maatje Delft",
        ]
        # The municipality's services are kept in the cache: every change shows at once.
        make_service("Maatje Delft-Noord", municipalities=[delft])
        catalogue["local"].municipalities.remove(delft)
        catalogue["national"].status = Service.Status.ARCHIVED
        catalogue["national"].save()
        assert names(search(desk_client, "maatje", municipality=delft.pk)) == ["Maatje Delft-Noord"]
        catalogue["other"].municipalities.add(delft)
        assert "Maatje Baarn" in names(search(desk_client, "maatje", municipality=delft.pk))

    def test_context_stays_for_the_call_and_new_call_resets_it(self, desk_client, catalogue):
        search(desk_client, "", municipality=catalogue["baarn"].pk, age="81", free="on")
        stored = desk_client.session[SESSION_KEY]
        assert stored["municipality_id"] == catalogue["baarn"].pk
        assert stored["age"] == 81
        assert stored["free"] is True
        page = desk_client.get(reverse("phonedesk:desk")).content.decode()
        assert f'<option value="{catalogue["baarn"].pk}" selected>' in page
        assert 'value="81"' in page
        desk_client.post(reverse("phonedesk:new_call"))
        fresh = desk_client.session[SESSION_KEY]
        assert (fresh["municipality_id"], fresh["age"], fresh["free"], fresh["picked"]) == (
            None,
            None,
            False,
            [],
        )
        # The new call has begun: its timer runs from now.
        assert fresh["started"]

    def test_session_holds_no_search_terms(self, desk_client, catalogue):
        search(desk_client, "zeldzaamwoord", htmx=False)
        session = Session.objects.get(session_key=desk_client.session.session_key)
        assert "zeldzaamwoord" not in str(session.get_decoded())

    @pytest.mark.parametrize(
        ("toggle", "value", "field", "excluded_value"),
        [
            ("free", "on", "cost", Service.Cost.PAID),
            ("no_referral", "on", "referral_required", True),
            ("at_home", "on", "at_home", False),
            ("by_phone", "on", "by_phone", False),
            ("format", "group", "format", Service.Format.INDIVIDUAL),
            ("format", "individual", "format", Service.Format.GROUP),
        ],
    )
    def test_quick_toggles_narrow_the_results(
        self, desk_client, db, toggle, value, field, excluded_value
    ):
        fits = make_service("Koffie fits", at_home=True, by_phone=True, format=Service.Format.BOTH)
        misfit = make_service("Koffie misfit", at_home=True, by_phone=True)
        setattr(misfit, field, excluded_value)
        if field == "at_home":
            misfit.by_phone = True
        misfit.save()
        assert sorted(names(search(desk_client, "koffie"))) == ["Koffie fits", "Koffie misfit"]
        assert names(search(desk_client, "koffie", **{toggle: value})) == [fits.name]

    def test_age_outside_the_range_is_flagged_and_sorted_last(self, desk_client, catalogue):
        response = search(desk_client, "maatje", municipality=catalogue["delft"].pk, age="80")
        html = response.content.decode()
        assert names(response) == ["Landelijke maatjeslijn", "Maatje Delft"]
        assert "Leeftijd past niet" in html
        assert "18 tot en met 65 jaar" in html
        assert "Verwijzing of indicatie nodig" in html
        fitting = search(desk_client, "maatje", municipality=catalogue["delft"].pk, age="40")
        assert "Leeftijd past niet" not in fitting.content.decode()

    def test_services_meant_for_the_callers_age_come_before_those_with_conditions(
        self, desk_client, catalogue
    ):
        older = make_target_group("Ouderen (75+)", slug="ouderen-75-plus")
        delft = catalogue["delft"]
        make_service("Alleen? Huisarts", municipalities=[delft], referral_required=True)
        make_service("Alleen? Vrouwenochtend", municipalities=[delft])
        make_service("Alleen? Telefooncirkel", municipalities=[delft], min_age=65)
        make_service("Alleen? Bezoek", municipalities=[delft], target_groups=[older])
        found = names(search(desk_client, "alleen", municipality=delft.pk, age="78"))
        assert found[:2] == ["Alleen? Bezoek", "Alleen? Telefooncirkel"]
        assert found[-1] == "Alleen? Huisarts"


class TestReadOut:
    def test_result_shows_what_staff_read_out(self, desk_client, catalogue):
        service = catalogue["national"]
        service.how_to_apply = "Bel op werkdagen en vraag naar Anja."
        service.cost = Service.Cost.PAID
        service.cost_amount = 2.5
        service.cost_unit = Service.CostUnit.PER_TIME
        service.save()
        location = Location.objects.create(service=service, name="Buurthuis De Linde")
        today = hours.local_now().isoweekday()
        OpeningPeriod.objects.create(
            location=location,
            weekday=today,
            opens=datetime.time(0, 0),
            closes=datetime.time(23, 59),
        )
        html = search(desk_client, "maatjeslijn").content.decode()
        assert "Een maatje aan de telefoon." in html
        assert "Bel op werkdagen en vraag naar Anja." in html
        assert 'href="tel:0301234567"' in html
        assert "Nu open" in html
        assert "Vandaag open van 0.00 tot 23.59" in html
        assert "€ 2,50 per keer" in html

    def test_cards_follow_the_clock_to_the_minute(self, desk_client, catalogue, clock):
        today = clock.set_to_last(datetime.time(10, 0, 30)).date()
        location = Location.objects.create(service=catalogue["national"], name="Buurthuis")
        OpeningPeriod.objects.create(
            location=location,
            weekday=today.isoweekday(),
            opens=datetime.time(9),
            closes=datetime.time(10, 1),
        )
        delft = catalogue["delft"].pk
        assert "Nu open" in search(desk_client, "maatje", municipality=delft).content.decode()
        clock.tick()
        assert "Nu open" not in search(desk_client, "maatje", municipality=delft).content.decode()

    def test_panel_shows_the_full_service(self, desk_client, catalogue):
        response = desk_client.get(
            reverse("phonedesk:service", args=[catalogue["national"].pk]), headers=HX
        )
        html = response.content.decode()
        assert 'id="pd-panel-title"' in html
        assert "<html" not in html
        assert catalogue["national"].essence in html

    def test_panel_without_javascript_is_a_full_page(self, desk_client, catalogue):
        response = desk_client.get(reverse("phonedesk:service", args=[catalogue["national"].pk]))
        assert b"<html" in response.content
        assert b'id="pd-panel-title"' in response.content

    def test_history_restore_gets_the_full_page(self, desk_client, catalogue):
        url = reverse("phonedesk:service", args=[catalogue["national"].pk])
        response = desk_client.get(url, headers={**HX, "HX-History-Restore-Request": "true"})
        assert b"<html" in response.content
        assert "HX-Request" in response["Vary"]

    def test_empty_search_shows_the_hint(self, desk_client, catalogue):
        response = search(desk_client, "   ")
        assert names(response) == []
        assert "Typ waar de beller hulp bij zoekt" in response.content.decode()

    def test_no_results_says_so(self, desk_client, catalogue):
        response = search(desk_client, "qqqxxyy")
        assert "Niets gevonden" in response.content.decode()
        assert "0 diensten gevonden" in response.content.decode()


class TestPicking:
    def test_pick_and_unpick_update_the_list(self, desk_client, catalogue):
        pk = catalogue["national"].pk
        response = desk_client.post(reverse("phonedesk:pick"), {"pick": pk}, headers=HX)
        html = response.content.decode()
        assert "Landelijke maatjeslijn" in html
        assert f'data-hx-swap-oob="innerHTML:#pd-pick-{pk}"' in html
        assert desk_client.session[SESSION_KEY]["picked"] == [pk]
        desk_client.post(reverse("phonedesk:pick"), {"unpick": pk}, headers=HX)
        assert desk_client.session[SESSION_KEY]["picked"] == []

    def test_pick_without_javascript_keeps_the_results(self, desk_client, catalogue):
        response = desk_client.post(
            reverse("phonedesk:pick"),
            {"q": "maatje", "municipality": catalogue["delft"].pk, "pick": catalogue["local"].pk},
        )
        assert response.status_code == 200
        assert "Maatje Delft" in names(response)
        assert 'aria-pressed="true"' in response.content.decode()

    def test_cannot_pick_another_municipalitys_service(self, desk_client, catalogue):
        search(desk_client, "", municipality=catalogue["delft"].pk)
        response = desk_client.post(reverse("phonedesk:pick"), {"pick": catalogue["other"].pk})
        assert response.status_code == 404

    def test_list_holds_at_most_eight(self, desk_client, db):
        services = [make_service(f"Dienst {n}") for n in range(10)]
        for service in services:
            desk_client.post(reverse("phonedesk:pick"), {"pick": service.pk}, headers=HX)
        assert len(desk_client.session[SESSION_KEY]["picked"]) == 8

    def test_summary_lists_the_picked_services(self, desk_client, catalogue):
        desk_client.post(reverse("phonedesk:pick"), {"pick": catalogue["national"].pk})
        html = desk_client.get(reverse("phonedesk:summary")).content.decode()
        assert "Landelijke maatjeslijn" in html
        assert "030 123 45 67" in html
        assert 'name="email"' in html


class TestSearchTermsStayOutOfUrls:
    URL_ATTRIBUTE = re.compile(r'(?:href|action|src|data-hx-get|data-hx-post|formaction)="([^"]*)"')

    def test_search_form_posts(self, desk_client, catalogue):
        html = desk_client.get(reverse("phonedesk:desk")).content.decode()
        form = re.search(r'<form id="pd-call"[^>]*>', html).group(0)
        assert 'method="post"' in form
        assert "data-hx-get" not in form

    def test_no_url_in_any_answer_contains_the_term(self, desk_client, catalogue):
        term = "maatje"
        responses = [
            search(desk_client, term, htmx=True),
            search(desk_client, term, htmx=False),
            desk_client.post(reverse("phonedesk:note_search"), {"q": term}),
            desk_client.post(
                reverse("phonedesk:pick"), {"q": term, "pick": catalogue["national"].pk}
            ),
        ]
        for response in responses:
            assert response.status_code in (200, 204)
            assert term not in response.get("Location", "")
            for url in self.URL_ATTRIBUTE.findall(response.content.decode()):
                assert term not in url.lower()

    def test_query_string_is_never_used_for_searching(self, desk_client, catalogue):
        response = desk_client.get(reverse("phonedesk:desk") + "?q=maatje")
        assert names(response) == []
        assert "maatje" not in re.search(
            r'<input[^>]*id="pd-q"[^>]*>', response.content.decode()
        ).group(0)
        assert desk_client.get(reverse("phonedesk:search") + "?q=maatje").status_code == 405


class TestSearchTermCounts:
    def test_live_searches_are_not_counted_deliberate_ones_are(self, desk_client, catalogue):
        for partial in ("m", "ma", "maa", "maat", "maatje"):
            search(desk_client, partial, htmx=True)
        assert SearchTermCount.objects.count() == 0
        desk_client.post(reverse("phonedesk:note_search"), {"q": "Maatje!"})
        search(desk_client, "MAATJE", htmx=False)
        row = SearchTermCount.objects.get()
        assert (row.term, row.total, row.zero_results) == ("maatje", 2, 0)

    def test_zero_results_are_counted_per_normalised_term(self, desk_client, catalogue):
        desk_client.post(reverse("phonedesk:note_search"), {"q": "Dagbesteding  zóndag"})
        desk_client.post(reverse("phonedesk:note_search"), {"q": "dagbesteding zondag"})
        row = SearchTermCount.objects.get()
        assert (row.term, row.total, row.zero_results) == ("dagbesteding zondag", 2, 2)

    def test_one_call_counts_once_a_new_call_again(self, desk_client, catalogue):
        for _ in range(3):
            desk_client.post(reverse("phonedesk:note_search"), {"q": "vervoer zondag"})
        desk_client.post(reverse("phonedesk:new_call"))
        desk_client.post(reverse("phonedesk:note_search"), {"q": "vervoer zondag"})
        row = SearchTermCount.objects.get()
        assert (row.total, row.calls) == (4, 2)

    def test_terms_are_counted_for_the_callers_municipality(self, desk_client, catalogue):
        search(desk_client, "vervoer zondag", htmx=False, municipality=catalogue["baarn"].pk)
        assert SearchTermCount.objects.get().municipality == catalogue["baarn"]

    def test_numbers_make_the_whole_term_unknown(self, desk_client, catalogue):
        desk_client.post(reverse("phonedesk:note_search"), {"q": "0612345678 2611 AB maatje"})
        row = SearchTermCount.objects.get()
        assert (row.term, row.total) == ("", 1)

    def test_very_long_input_is_counted_without_text(self, desk_client, catalogue):
        desk_client.post(reverse("phonedesk:note_search"), {"q": "woord" * 5000})
        assert SearchTermCount.objects.get().term == ""


HOSTILE = [
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "😀🧓🏽📞",
    "\u202eسلام عليكم\u202c",
    "' OR 1=1 --",
    "%00%27",
    "-1",
    "99999999999999999999999999",
    "1e400",
    "9" * 5000,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_never_breaks_the_desk(desk_client, catalogue, value):
    fields = {
        "q": value,
        "municipality": value,
        "age": value,
        "format": value,
        "free": value,
        "pick": value,
        "unpick": value,
    }
    responses = [
        search(desk_client, value, htmx=True, municipality=value, age=value, format=value),
        search(desk_client, value, htmx=False, age=value, free=value),
        desk_client.post(reverse("phonedesk:note_search"), fields),
        desk_client.post(reverse("phonedesk:pick"), fields, headers=HX),
        desk_client.post(reverse("phonedesk:pick"), fields),
        desk_client.post(
            reverse("phonedesk:finish"),
            {
                "finish-outcome": value,
                "finish-themes": value,
                "finish-services": value,
                "finish-municipality": value,
                "finish-age_band": value,
            },
        ),
        desk_client.post(reverse("phonedesk:summary_email"), {"email": value}),
    ]
    for response in responses:
        assert response.status_code < 500
    page = responses[1].content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page


@pytest.mark.parametrize("age", ["-1", "-120", "121", "100000", "2147483648", "abc", "4.5"])
def test_impossible_age_is_refused_and_the_previous_one_kept(desk_client, catalogue, age):
    search(desk_client, "", age="70")
    response = search(desk_client, "maatje", age=age)
    assert response.status_code == 200
    assert "Leeftijd:" in response.content.decode()
    assert desk_client.session[SESSION_KEY]["age"] == 70


def test_unknown_municipality_is_refused_and_the_previous_one_kept(desk_client, catalogue):
    search(desk_client, "", municipality=catalogue["delft"].pk)
    search(desk_client, "maatje", municipality="999999")
    assert desk_client.session[SESSION_KEY]["municipality_id"] == catalogue["delft"].pk


class TestQueryCounts:
    def _results(self, n, municipality):
        for i in range(n):
            service = make_service(
                f"Wandelclub {municipality.services.count()}-{i}",
                municipalities=[municipality] if i % 2 else [],
            )
            location = Location.objects.create(service=service, name=f"Plek {i}")
            OpeningPeriod.objects.create(
                location=location, weekday=1, opens=datetime.time(9), closes=datetime.time(12)
            )

    # The results fragment is what htmx loads while staff type and a caller waits: its
    # queries are pinned, so a change that adds one fails here. Session, user, role,
    # municipality (form), synonyms, the ordered ids; for cards not in the cache the shown
    # services, their activity sessions, locations and opening hours. The unchanged
    # session is not written. (The catalogue's versions, the spelling vocabulary and, on
    # PostgreSQL, the ids of the municipality's services are in the cache.)
    FRAGMENT_QUERIES = 10
    # Cards shown this minute, or since the last edit in the municipality (only their
    # "Wanneer" is rendered again in a new minute: phonedesk.cards).
    CACHED_CARDS_QUERIES = 6

    def test_search_fragment_query_count_does_not_grow_with_results(
        self, desk_client, catalogue, clock, django_assert_num_queries, monkeypatch
    ):
        # Every card read and rendered again each minute, as after an edit.
        monkeypatch.setattr(cards, "SERVICE_SECONDS", 0)
        delft = catalogue["delft"].pk
        self._results(2, catalogue["delft"])
        search(desk_client, "wandelclub", municipality=delft)
        clock.tick()
        with django_assert_num_queries(self.FRAGMENT_QUERIES):
            assert len(names(search(desk_client, "wandelclub", municipality=delft))) == 2
        self._results(8, catalogue["delft"])
        search(desk_client, "wandelclub", municipality=delft)
        clock.tick()
        with django_assert_num_queries(self.FRAGMENT_QUERIES):
            assert len(names(search(desk_client, "wandelclub", municipality=delft))) == 10
        # A caller's age and toggles and "Meer resultaten" cost no query more.
        context = {"municipality": delft, "age": "80", "no_referral": "on"}
        search(desk_client, "", **context)
        clock.tick()
        with django_assert_num_queries(self.FRAGMENT_QUERIES):
            assert len(names(search(desk_client, "wandelclub", **context, limit="20"))) == 10

    def test_cards_shown_this_minute_come_from_the_cache(
        self, desk_client, catalogue, clock, django_assert_num_queries
    ):
        delft = catalogue["delft"].pk
        self._results(10, catalogue["delft"])
        first = search(desk_client, "wandelclub", municipality=delft)
        with django_assert_num_queries(self.CACHED_CARDS_QUERIES):
            again = search(desk_client, "wandelclub", municipality=delft)
        assert again.content == first.content
        # Another staff member in the same municipality, the same minute.
        other = Client()
        other.force_login(make_user(groups=[roles.PHONE_DESK]))
        search(other, "", municipality=delft)
        with django_assert_num_queries(self.CACHED_CARDS_QUERIES):
            assert len(names(search(other, "wandelclub", municipality=delft))) == 10
        # Picking a service changes its button: that card is rendered again (from the
        # service kept since it was first shown).
        picked = Service.objects.get(name=names(first)[0]).pk
        desk_client.post(reverse("phonedesk:pick"), {"pick": picked}, headers=HX)
        with django_assert_num_queries(self.CACHED_CARDS_QUERIES):
            response = search(desk_client, "wandelclub", municipality=delft).content.decode()
        assert f'name="unpick" value="{picked}"' in response

    def test_a_new_minute_renders_only_when_from_the_kept_services(
        self, desk_client, catalogue, clock, django_assert_num_queries
    ):
        delft = catalogue["delft"]
        service = make_service("Wandelclub Delft", municipalities=[delft])
        location = Location.objects.create(service=service, name="Het Park")
        # Open until 12.00 today: "Nu open" at 11.59, not at 12.00.
        clock.set_to_last(datetime.time(11, 59))
        OpeningPeriod.objects.create(
            location=location,
            weekday=hours.local_now().isoweekday(),
            opens=datetime.time(9),
            closes=datetime.time(12),
        )
        assert (
            "Nu open" in search(desk_client, "wandelclub", municipality=delft.pk).content.decode()
        )
        clock.tick()
        with django_assert_num_queries(self.CACHED_CARDS_QUERIES):
            kept = search(desk_client, "wandelclub", municipality=delft.pk).content
        assert "Nu open" not in kept.decode()
        # The same minute after an edit (new catalogue versions): read and rendered whole,
        # the same card.
        versions.bump([delft.pk])
        search(desk_client, "qqqq", municipality=delft.pk)  # the vocabulary, the ids, no card
        with django_assert_num_queries(self.FRAGMENT_QUERIES):
            assert search(desk_client, "wandelclub", municipality=delft.pk).content == kept

    def test_a_card_that_names_the_callers_age_is_never_kept(self, desk_client, catalogue, clock):
        context = {"municipality": catalogue["delft"].pk, "age": "70"}
        page = search(desk_client, "maatje", **context).content.decode()
        assert "(beller is 70)" in page
        # The same minute, the same service, a caller of another age outside its range.
        context["age"] = "71"
        search(desk_client, "", **context)
        page = search(desk_client, "maatje", **context).content.decode()
        assert "(beller is 71)" in page and "(beller is 70)" not in page

    def test_fragment_without_results_skips_reading_services(
        self, desk_client, catalogue, django_assert_num_queries
    ):
        delft = catalogue["delft"].pk
        search(desk_client, "wandelclub", municipality=delft)
        with django_assert_num_queries(self.CACHED_CARDS_QUERIES):
            assert names(search(desk_client, "wandelclub", municipality=delft)) == []

    def test_a_municipalitys_services_are_read_once_for_all_calls(
        self, desk_client, catalogue, clock, django_assert_num_queries, postgres_only
    ):
        self._results(2, catalogue["baarn"])
        baarn = catalogue["baarn"].pk
        search(desk_client, "wandelclub", municipality=catalogue["delft"].pk)  # the vocabulary
        search(desk_client, "", municipality=baarn)
        # The first search in Baarn reads which services its callers can use, once.
        with django_assert_num_queries(self.FRAGMENT_QUERIES + 1):
            assert len(names(search(desk_client, "wandelclub", municipality=baarn))) == 2
        clock.tick()
        with django_assert_num_queries(self.CACHED_CARDS_QUERIES):
            assert len(names(search(desk_client, "wandelclub", municipality=baarn))) == 2

    CACHE_CALLS = ("get", "get_many", "get_or_set", "has_key", "set", "set_many", "add", "incr")

    def _count_cache_calls(self, monkeypatch):
        """Each call to the shared cache is a round trip to Redis: count them (the calls
        still go to the real cache)."""
        backend = caches["default"]
        calls = []
        for name in self.CACHE_CALLS:
            method = getattr(backend, name)

            def counted(*args, _name=name, _method=method, **kwargs):
                calls.append(_name)
                return _method(*args, **kwargs)

            monkeypatch.setattr(backend, name, counted)
        return calls

    def test_cards_shown_this_minute_cost_three_cache_round_trips(
        self, desk_client, catalogue, monkeypatch
    ):
        # The catalogue's versions and the spelling vocabulary's in one read (lookup.find),
        # the ids of the municipality's services (PostgreSQL), the cards of this minute.
        delft = catalogue["delft"].pk
        self._results(10, catalogue["delft"])
        first = search(desk_client, "wandelclub", municipality=delft)
        calls = self._count_cache_calls(monkeypatch)
        again = search(desk_client, "wandelclub", municipality=delft)
        assert again.content == first.content
        expected = ["get_many", "get", "get_many"]
        if connection.vendor != "postgresql":
            expected.remove("get")
        assert calls == expected

    def test_cards_kept_pickled_without_the_search_columns(self, catalogue):
        service = make_service("Wandelclub Delft", municipalities=[catalogue["delft"]])
        (read,) = lookup.services_for_results([service.pk])
        assert set(lookup.SEARCH_COLUMNS) <= read.get_deferred_fields()
        assert read.name == "Wandelclub Delft"

    def test_desk_page_query_count(self, desk_client, catalogue, django_assert_num_queries):
        for service in (catalogue["national"], catalogue["local"]):
            desk_client.post(reverse("phonedesk:pick"), {"pick": service.pk})
        search(desk_client, "", municipality=catalogue["delft"].pk)
        # session, user, roles (asked once: the access policy keeps them per request),
        # picked services, five taxonomies, activity sessions, locations, the municipality
        # choices; the desk has no public header, so no header municipality
        with django_assert_num_queries(12):
            desk_client.get(reverse("phonedesk:desk"))

    def test_panel_query_count(self, desk_client, catalogue, django_assert_num_queries):
        self._results(1, catalogue["delft"])
        search(desk_client, "", municipality=catalogue["delft"].pk)
        service = Service.objects.get(name__startswith="Wandelclub")
        url = reverse("phonedesk:service", args=[service.pk])
        # session, user, role, service, five taxonomies, activity sessions, locations,
        # opening hours
        with django_assert_num_queries(12):
            desk_client.get(url, headers=HX)


def test_search_terms_are_hidden_from_error_reports(rf, desk_user, catalogue):
    from django.views.debug import SafeExceptionReporterFilter

    from phonedesk import views

    pick = {"pick": catalogue["national"].pk}
    for view, data in ((views.search, {}), (views.note_search, {}), (views.pick, pick)):
        field = "q"
        request = rf.post("/", {field: "geheim", **data})
        request.user = desk_user
        request.session = {}
        request.htmx = False
        view(request)
        cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
        assert cleaned[field] != "geheim"


def test_costs_and_their_note_read_as_one_sentence(desk_client, catalogue):
    service = catalogue["national"]
    service.cost = Service.Cost.FREE
    service.cost_text = "De koffie is gratis."
    service.save()
    html = search(desk_client, "maatjeslijn").content.decode()
    assert "Gratis. De koffie is gratis." in html
