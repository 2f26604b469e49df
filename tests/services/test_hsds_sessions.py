"""Sessions (ActivitySession) in the HSDS feed: each one a schedule of its service that the
HSDS 3.0 and ORUK schemas accept, with its times in the offset of summer or winter time,
and read back by the import as the same sessions."""

import datetime
import json

import pytest
from django.core.management import call_command

from services import hsds
from services.models import ActivitySession, Service
from tests.factories import make_service
from tests.hsds_schemas import MODES, errors
from tests.services.test_hsds_import import (  # noqa: F401 - fixture
    approve_all,
    curator,
    empty_the_catalogue,
    export,
    without_moments,
)

pytestmark = pytest.mark.django_db
Kind = ActivitySession.Kind
FIELDS = ("kind", "weekday", "start_date", "end_date", "starts_at", "ends_at", "note")


@pytest.fixture
def club():
    service = make_service("Koffieclub", essence="Samen koffie drinken.")
    make = ActivitySession.objects.create
    make(service=service, kind=Kind.WEEKLY, weekday=4, starts_at=datetime.time(10),
         ends_at=datetime.time(12), note="Niet in de schoolvakanties")  # fmt: skip
    make(service=service, kind=Kind.FORTNIGHTLY, weekday=3, start_date=datetime.date(2026, 12, 23),
         starts_at=datetime.time(14), ends_at=datetime.time(15, 30))  # fmt: skip
    make(service=service, kind=Kind.COURSE, weekday=2, start_date=datetime.date(2026, 10, 6),
         end_date=datetime.date(2026, 12, 15), starts_at=datetime.time(19),
         ends_at=datetime.time(21), signup_deadline=datetime.date(2026, 10, 1), places=12)  # fmt: skip
    make(service=service, kind=Kind.ONCE, start_date=datetime.date(2027, 7, 3),
         starts_at=datetime.time(11), ends_at=datetime.time(16))  # fmt: skip
    return service


def document(service):
    return hsds.service_object(hsds.with_document(Service.objects.filter(pk=service.pk)).get())


def by_kind(data):
    found = {}
    for schedule in data["schedules"]:
        if schedule.get("count") == 1:
            found["once"] = schedule
        elif schedule.get("interval") == 2:
            found["fortnightly"] = schedule
        elif "until" in schedule:
            found["course"] = schedule
        else:
            found["weekly"] = schedule
    return found


def test_sessions_are_schedules_that_validate_in_every_mode(club):
    data = document(club)
    assert len(data["schedules"]) == 4
    for schema_set, strict in MODES:
        assert errors(data, "service", schema_set, strict) == [], (schema_set, strict)
    for schedule in data["schedules"]:
        assert errors(schedule, "schedule", "oruk", False) == []
        assert schedule["service_id"] == str(club.uuid)
        assert schedule["freq"] == "WEEKLY"


def test_each_kind_has_its_own_rule_and_a_dutch_description(club):
    schedules = by_kind(document(club))
    weekly = schedules["weekly"]
    assert (weekly["byday"], weekly["interval"]) == ("TH", 1)
    assert "dtstart" not in weekly and "until" not in weekly
    assert weekly["description"] == "Elke donderdag, 10.00–12.00 uur"
    assert weekly["notes"] == "Niet in de schoolvakanties"
    fortnightly = schedules["fortnightly"]
    assert (fortnightly["byday"], fortnightly["dtstart"]) == ("WE", "2026-12-23")
    course = schedules["course"]
    assert (course["dtstart"], course["until"], course["valid_to"]) == (
        "2026-10-06",
        "2026-12-15",
        "2026-12-15",
    )
    assert "Aanmelden vóór 1 oktober 2026" in course["description"]
    assert "12 plaatsen" in course["description"]
    once = schedules["once"]
    assert (once["count"], once["dtstart"], once["valid_from"], once["valid_to"]) == (
        1,
        "2027-07-03",
        "2027-07-03",
        "2027-07-03",
    )
    # A summer date carries summer time, whatever the season of the export.
    assert (once["opens_at"], once["closes_at"]) == ("11:00+02:00", "16:00+02:00")


def test_a_winter_one_off_event_carries_winter_time():
    service = make_service("Nieuwjaarsborrel")
    ActivitySession.objects.create(
        service=service,
        kind=Kind.ONCE,
        start_date=datetime.date(2027, 1, 3),
        starts_at=datetime.time(16),
        ends_at=datetime.time(18),
    )
    (schedule,) = document(service)["schedules"]
    assert schedule["opens_at"] == "16:00+01:00"
    assert schedule["description"] == "Op zondag 3 januari 2027, 16.00–18.00 uur"


def test_export_import_keeps_the_sessions(tmp_path, club, curator):  # noqa: F811
    def sessions():
        return sorted(
            tuple(str(getattr(s, name)) for name in FIELDS)
            for s in ActivitySession.objects.filter(service__name="Koffieclub")
        )

    before = sessions()
    first = json.loads(export(tmp_path).read_text())
    empty_the_catalogue()
    call_command("import_hsds", str(tmp_path / "feed.json"))
    assert sessions() == before
    approve_all(first, curator)
    second = json.loads(export(tmp_path, "again.json").read_text())
    # Sign-up deadline and places live only in the description: not read back.
    strip = [
        {
            **d,
            "schedules": [
                {k: v for k, v in s.items() if k != "description"} for s in d.get("schedules", [])
            ],
        }
        for d in without_moments(second)
    ]
    expected = [
        {
            **d,
            "schedules": [
                {k: v for k, v in s.items() if k != "description"} for s in d.get("schedules", [])
            ],
        }
        for d in without_moments(first)
    ]
    assert strip == expected


def test_rules_we_cannot_hold_are_skipped_and_bad_dates_refused():
    assert hsds.read_session({"freq": "MONTHLY", "byday": "MO", "opens_at": "10:00",
                              "closes_at": "11:00"}) is None  # fmt: skip
    assert hsds.read_session({"freq": "WEEKLY", "byday": "MO,TU", "opens_at": "10:00",
                              "closes_at": "11:00"}) is None  # fmt: skip
    with pytest.raises(hsds.FeedError):
        hsds.read_session({"freq": "WEEKLY", "byday": "MO", "dtstart": "morgen",
                           "opens_at": "10:00", "closes_at": "11:00"})  # fmt: skip
    found = hsds.read_session(
        {
            "freq": "WEEKLY",
            "byday": "SU",
            "count": 1,
            "dtstart": "2026-10-25",
            "opens_at": "08:00Z",
            "closes_at": "09:00Z",
        }  # fmt: skip
    )
    # 8.00 UTC on the first day of winter time is 9.00 in Amsterdam.
    assert (found["kind"], found["starts_at"]) == (Kind.ONCE, datetime.time(9))
