""" "Wanneer": today, this week and open now, one meaning (services.criteria) for the
catalogue's facet, the phone desk and the HSDS API; across summer/winter time and the turn
of the year, and never cached past the minute it changes."""

import datetime
import zoneinfo

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phonedesk.caller import CallerContext
from services import criteria
from services.filters import ServiceFilterSet
from services.models import ActivitySession, Location, OpeningPeriod, Service
from tests.factories import make_service

pytestmark = pytest.mark.django_db
AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC
Kind = ActivitySession.Kind


def at(*args, tz=AMS):
    return datetime.datetime(*args, tzinfo=tz)


def with_session(name, **kwargs):
    service = make_service(name)
    fields = {"starts_at": datetime.time(10), "ends_at": datetime.time(12), **kwargs}
    ActivitySession.objects.create(service=service, **fields)
    return service


def with_hours(name, *periods):
    service = make_service(name)
    location = Location.objects.create(service=service, name="Buurthuis")
    for weekday, opens, closes in periods:
        OpeningPeriod.objects.create(
            location=location,
            weekday=weekday,
            opens=datetime.time(*opens),
            closes=datetime.time(*closes),
        )
    return service


def matching(value, now):
    return sorted(
        Service.objects.filter(criteria.when_q([value], now)).values_list("name", flat=True)
    )


def test_open_now_on_the_first_sunday_of_winter_time():
    # Summer time ends at 03.00 on Sunday 25 October 2026; a 10.00 session stays at 10.00.
    with_session("Zondagkoffie", kind=Kind.WEEKLY, weekday=7)
    assert matching(criteria.OPEN_NOW, at(2026, 10, 25, 9, 0, tz=UTC)) == ["Zondagkoffie"]
    assert matching(criteria.OPEN_NOW, at(2026, 10, 25, 8, 59, tz=UTC)) == []  # 9.59
    assert matching(criteria.OPEN_NOW, at(2026, 10, 25, 11, 0, tz=UTC)) == []  # 12.00
    assert matching(criteria.TODAY, at(2026, 10, 25, 10, 59, tz=UTC)) == ["Zondagkoffie"]
    assert matching(criteria.TODAY, at(2026, 10, 25, 11, 0, tz=UTC)) == []


def test_open_now_on_the_first_sunday_of_summer_time():
    # Summer time starts on Sunday 28 March 2027: 8.30 UTC is 10.30 in Amsterdam (not 9.30).
    with_session("Zondagkoffie", kind=Kind.WEEKLY, weekday=7)
    assert matching(criteria.OPEN_NOW, at(2027, 3, 28, 8, 30, tz=UTC)) == ["Zondagkoffie"]
    assert matching(criteria.OPEN_NOW, at(2027, 3, 28, 7, 30, tz=UTC)) == []
    assert matching(criteria.OPEN_NOW, at(2027, 3, 28, 9, 59, tz=UTC)) == ["Zondagkoffie"]
    assert matching(criteria.OPEN_NOW, at(2027, 3, 28, 10, 0, tz=UTC)) == []


def test_this_week_runs_through_sunday_across_the_turn_of_the_year():
    # Thursday 31 December 2026 is in the week of Monday 28 December to Sunday 3 January.
    with_session("Nieuwjaarsborrel", kind=Kind.ONCE, start_date=datetime.date(2027, 1, 3))
    with_session("Maandagcursus", kind=Kind.ONCE, start_date=datetime.date(2027, 1, 4))
    with_session("Oudejaarsdag", kind=Kind.ONCE, start_date=datetime.date(2026, 12, 31))
    now = at(2026, 12, 31, 9, 0)
    assert matching(criteria.THIS_WEEK, now) == ["Nieuwjaarsborrel", "Oudejaarsdag"]
    assert matching(criteria.TODAY, now) == ["Oudejaarsdag"]
    assert matching(criteria.THIS_WEEK, at(2027, 1, 3, 23, 0)) == []
    assert matching(criteria.THIS_WEEK, at(2027, 1, 4, 0, 0)) == ["Maandagcursus"]


def test_fortnightly_follows_its_own_weeks_over_the_new_year():
    # Every other Wednesday from 23 December 2026: 6 January 2027, not 30 December.
    with_session(
        "Om de week",
        kind=Kind.FORTNIGHTLY,
        weekday=3,
        start_date=datetime.date(2026, 12, 23),
    )
    assert matching(criteria.THIS_WEEK, at(2026, 12, 28, 9, 0)) == []
    assert matching(criteria.THIS_WEEK, at(2027, 1, 4, 9, 0)) == ["Om de week"]
    assert matching(criteria.TODAY, at(2027, 1, 6, 11, 0)) == ["Om de week"]


def test_a_course_counts_only_between_its_dates():
    with_session(
        "Cursus",
        kind=Kind.COURSE,
        weekday=2,
        start_date=datetime.date(2026, 11, 3),
        end_date=datetime.date(2026, 12, 15),
    )
    assert matching(criteria.TODAY, at(2026, 10, 27, 9, 0)) == []
    assert matching(criteria.TODAY, at(2026, 12, 15, 9, 0)) == ["Cursus"]
    assert matching(criteria.TODAY, at(2026, 12, 22, 9, 0)) == []


def test_opening_hours_count_until_closing_time():
    with_hours("Inloop", (1, (9, 0), (17, 0)), (2, (9, 0), (12, 0)))
    assert matching(criteria.OPEN_NOW, at(2026, 12, 7, 16, 59)) == ["Inloop"]  # Monday
    assert matching(criteria.OPEN_NOW, at(2026, 12, 7, 17, 0)) == []
    assert matching(criteria.TODAY, at(2026, 12, 7, 18, 0)) == []
    assert matching(criteria.THIS_WEEK, at(2026, 12, 7, 18, 0)) == ["Inloop"]  # Tuesday
    assert matching(criteria.THIS_WEEK, at(2026, 12, 8, 12, 0)) == []  # nothing after Tuesday
    assert matching(criteria.THIS_WEEK, at(2026, 12, 13, 9, 0)) == []  # Sunday


def facet(params, now):
    filterset = ServiceFilterSet(
        QueryDict(params), queryset=Service.objects.live(), default_municipality=None, now=now
    )
    return filterset


def test_the_catalogue_counts_and_filters_with_the_minute(django_assert_max_num_queries):
    with_session("Zondagkoffie", kind=Kind.WEEKLY, weekday=7)
    make_service("Altijd")
    during, after = at(2026, 10, 25, 11, 59), at(2026, 10, 25, 12, 0)
    counts = {v.value: v.count for v in facet("", during).when_facet().values}
    assert counts == {"vandaag": 1, "deze-week": 1, "nu-open": 1}
    assert facet("wanneer=nu-open", during).total() == 1
    assert list(facet("wanneer=nu-open", during).qs.values_list("name", flat=True)) == [
        "Zondagkoffie"
    ]
    # The same filter state a minute later: nothing cached from 11.59 is reused.
    assert facet("wanneer=nu-open", after).total() == 0
    assert {v.value: v.count for v in facet("", after).when_facet().values}["nu-open"] == 0
    # Without a when chosen, the cached summary (five minutes) stays shared across minutes.
    assert facet("", during).cache_key("summary") == facet("", after).cache_key("summary")
    assert facet("wanneer=vandaag", during).cache_key("summary") != facet(
        "wanneer=vandaag", after
    ).cache_key("summary")


@pytest.fixture
def clock(monkeypatch):
    """Stop the clock at a given moment (for the views, which read timezone.now())."""

    def stop(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(UTC))
        cache.clear()

    return stop


def test_catalogue_desk_and_api_agree(client, clock):
    with_session("Zondagkoffie", kind=Kind.WEEKLY, weekday=7)
    with_hours("Inloop", (7, (13, 0), (17, 0)))
    make_service("Zonder tijden")
    clock(at(2026, 10, 25, 11, 0))
    catalogue = client.get(reverse("services:list"), {"wanneer": "nu-open"})
    assert [s.name for s in catalogue.context["object_list"]] == ["Zondagkoffie"]
    assert "Wanneer: Nu open" in [label for label, _url in catalogue.context["chips"]]
    desk = CallerContext(when=criteria.OPEN_NOW).apply_toggles(Service.objects.live())
    assert [s.name for s in desk] == ["Zondagkoffie"]
    api = client.get(reverse("hsds_api:services"), {"when": "open_now"})
    assert [item["name"] for item in api.json()["contents"]] == ["Zondagkoffie"]
    assert int(api["Cache-Control"].split("max-age=")[1].split(",")[0]) <= 60
    today = client.get(reverse("hsds_api:services"), {"when": "today"})
    assert sorted(item["name"] for item in today.json()["contents"]) == ["Inloop", "Zondagkoffie"]
    clock(at(2026, 10, 25, 14, 0))
    catalogue = client.get(reverse("services:list"), {"wanneer": "nu-open"})
    assert [s.name for s in catalogue.context["object_list"]] == ["Inloop"]


def test_bad_when_values_are_a_dutch_400_or_ignored(client):
    api = client.get(reverse("hsds_api:services"), {"when": "morgen"})
    assert api.status_code == 400
    assert api.json()["parameter"] == "when"
    page = client.get(reverse("services:list"), {"wanneer": "morgen"})
    assert page.status_code == 200
    assert ("Wanneer", "morgen") in page.context["ignored"]


def test_the_desk_form_offers_when(client):
    from phonedesk.forms import CallContextForm

    form = CallContextForm(data={"when": "deze-week"})
    assert form.valid_data()["when"] == "deze-week"
    assert not CallContextForm(data={"when": "ooit"}).is_valid()


def test_the_openapi_document_describes_when(client):
    document = client.get(reverse("hsds_api:openapi")).json()
    assert document["components"]["parameters"]["when"]["schema"]["enum"] == [
        "today",
        "this_week",
        "open_now",
    ]
    services = document["paths"]["/services"]["get"]["parameters"]
    assert {"$ref": "#/components/parameters/when"} in services


@given(
    sessions=st.lists(
        st.tuples(
            st.sampled_from(list(Kind)),
            st.integers(1, 7),
            st.integers(-10, 10),
            st.integers(0, 20),
            st.integers(6, 21),
            st.integers(1, 3),
        ),
        min_size=1,
        max_size=6,
    ),
    now=st.datetimes(
        min_value=datetime.datetime(2026, 10, 20), max_value=datetime.datetime(2027, 4, 5)
    ),
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_windows_read_together_find_what_each_finds_alone(sessions, now):
    """sessions_in_windows reads the sessions once for today, this week and now (the
    catalogue's counts): it must find exactly what session_service_ids finds per window."""
    ActivitySession.objects.all().delete()
    sunday = datetime.date(2026, 10, 18)
    for kind, weekday, weeks_on, weeks_long, hour, hours in sessions:
        start = sunday + datetime.timedelta(days=weeks_on * 7 + weekday)  # on that weekday
        ActivitySession.objects.create(
            service=make_service(),
            kind=kind,
            weekday=None if kind == Kind.ONCE else weekday,
            start_date=None if kind == Kind.WEEKLY and weeks_on < 0 else start,
            end_date=start + datetime.timedelta(weeks=weeks_long) if kind == Kind.COURSE else None,
            starts_at=datetime.time(hour),
            ends_at=datetime.time(min(hour + hours, 23)),
        )
    moment = now.replace(tzinfo=AMS)
    together = criteria.sessions_in_windows(criteria.WHEN, moment)
    assert together == {
        value: criteria.session_service_ids(value, moment) for value in criteria.WHEN
    }
