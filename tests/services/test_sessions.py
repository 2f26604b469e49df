"""When an activity happens next: weekly, fortnightly, courses and one-off events, across
summer time, winter time and the turn of the year; shown on cards and the detail page, and
downloadable as an iCalendar file."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from services import presentation
from services.models import ActivitySession
from tests.factories import make_service

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def at(*args):
    return datetime.datetime(*args, tzinfo=AMS)


def session(**kwargs):
    fields = {
        "kind": ActivitySession.Kind.WEEKLY,
        "weekday": 4,
        "starts_at": datetime.time(10, 0),
        "ends_at": datetime.time(12, 0),
        **kwargs,
    }
    return ActivitySession(**fields)


def test_weekly_meeting_keeps_its_local_time_across_the_switch_to_winter_time():
    # Summer time ends on Sunday 25 October 2026: Thursdays 22 and 29 October, both 10.00.
    found = session().occurrences(at(2026, 10, 20, 12, 0), count=2)
    assert [start for start, _end in found] == [at(2026, 10, 22, 10, 0), at(2026, 10, 29, 10, 0)]
    assert [start.utcoffset() for start, _end in found] == [
        datetime.timedelta(hours=2),
        datetime.timedelta(hours=1),
    ]


def test_weekly_meeting_across_the_switch_to_summer_time():
    # Summer time starts on Sunday 28 March 2027.
    found = session(weekday=1).occurrences(at(2027, 3, 27, 9, 0), count=2)
    assert [s.utcoffset() for s, _e in found] == [
        datetime.timedelta(hours=2),
        datetime.timedelta(hours=2),
    ]
    assert found[0][0] == at(2027, 3, 29, 10, 0)


def test_fortnightly_meeting_over_the_turn_of_the_year():
    s = session(
        kind=ActivitySession.Kind.FORTNIGHTLY, weekday=3, start_date=datetime.date(2026, 12, 23)
    )
    found = s.occurrences(at(2026, 12, 24, 0, 0), count=2)
    assert [start.date() for start, _ in found] == [
        datetime.date(2027, 1, 6),
        datetime.date(2027, 1, 20),
    ]


def test_course_ends_and_one_off_event_happens_once():
    course = session(
        kind=ActivitySession.Kind.COURSE,
        weekday=2,
        start_date=datetime.date(2026, 12, 1),
        end_date=datetime.date(2026, 12, 22),
    )
    assert len(course.occurrences(at(2026, 11, 1, 0, 0), count=10)) == 4
    assert course.occurrences(at(2026, 12, 23, 0, 0)) == []
    event = session(kind=ActivitySession.Kind.ONCE, start_date=datetime.date(2026, 12, 31))
    assert event.occurrences(at(2026, 12, 1, 0, 0), count=3) == [
        (at(2026, 12, 31, 10, 0), at(2026, 12, 31, 12, 0))
    ]
    assert event.occurrences(at(2027, 1, 1, 0, 0)) == []


def test_a_session_in_progress_is_now():
    found = session().occurrences(at(2026, 12, 3, 11, 0))
    assert found[0][0] == at(2026, 12, 3, 10, 0)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_at": datetime.time(9, 0)}, "ends_at"),
        ({"weekday": None}, "weekday"),
        (
            {"kind": ActivitySession.Kind.COURSE, "start_date": datetime.date(2026, 1, 6)},
            "end_date",
        ),
        (
            {"kind": ActivitySession.Kind.FORTNIGHTLY, "start_date": datetime.date(2026, 1, 6)},
            "start_date",
        ),
    ],
)
def test_impossible_sessions_are_refused(fields, field):
    with pytest.raises(ValidationError) as error:
        session(**fields).clean()
    assert field in error.value.message_dict


@pytest.mark.django_db
def test_next_session_on_the_card_and_the_detail_page_and_as_ics(client):
    service = make_service("Koor")
    ActivitySession.objects.create(
        service=service, kind=ActivitySession.Kind.WEEKLY, weekday=4,
        starts_at=datetime.time(10, 0), ends_at=datetime.time(12, 0),
    )  # fmt: skip
    upcoming = presentation.next_session(service)
    assert upcoming is not None and upcoming["start"].isoweekday() == 4
    detail = client.get(service.get_absolute_url()).content.decode()
    assert upcoming["label"] in detail and "Elke donderdag, 10.00–12.00 uur" in detail
    listing = client.get(reverse("services:list")).content.decode()
    assert upcoming["label"] in listing
    response = client.get(reverse("services:calendar", args=[service.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1 and events[0]["RRULE"]["FREQ"] == ["WEEKLY"]
    assert events[0].decoded("dtstart").tzinfo is not None
