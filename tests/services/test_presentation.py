"""The presentation module: opening hours read out, labels written into a sentence."""

import datetime
import zoneinfo

import pytest

from services import presentation
from services.models import Location, OpeningPeriod
from tests.factories import make_service

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# 3 December 2026 is a Thursday.
THURSDAY = datetime.datetime(2026, 12, 3, tzinfo=AMSTERDAM)


def at(day, hour, minute=0):
    return THURSDAY + datetime.timedelta(days=day, hours=hour, minutes=minute)


@pytest.fixture
def location(db):
    return Location.objects.create(service=make_service("Koffieochtend"), name="De Linde")


def hours(location, *periods):
    for weekday, opens, closes in periods:
        OpeningPeriod.objects.create(
            location=location,
            weekday=weekday,
            opens=datetime.time(*opens),
            closes=datetime.time(*closes),
        )
    return Location.objects.prefetch_related("opening_periods").get(pk=location.pk)


def test_no_hours_at_all_says_nothing(location):
    assert presentation.today_text(hours(location), at(0, 9)) is None


def test_open_today_reads_the_hours(location):
    loc = hours(location, (4, (10, 0), (12, 0)))
    assert presentation.today_text(loc, at(0, 9)) == "Vandaag open van 10.00 tot 12.00"
    # While it is open it still says until when.
    assert presentation.today_text(loc, at(0, 11, 30)) == "Vandaag open van 10.00 tot 12.00"


def test_two_periods_today_are_joined_and_past_ones_dropped(location):
    loc = hours(location, (4, (9, 30), (12, 0)), (4, (14, 0), (16, 0)))
    assert (
        presentation.today_text(loc, at(0, 8))
        == "Vandaag open van 9.30 tot 12.00 en van 14.00 tot 16.00"
    )
    assert presentation.today_text(loc, at(0, 13)) == "Vandaag open van 14.00 tot 16.00"


def test_closed_today_says_when_it_opens_again(location):
    loc = hours(location, (1, (10, 0), (12, 0)), (4, (10, 0), (12, 0)))
    # Tuesday: next is Thursday.
    assert presentation.today_text(loc, at(-2, 9)) == "Vandaag gesloten, weer open donderdag 10.00"
    # Wednesday: next is tomorrow.
    assert presentation.today_text(loc, at(-1, 9)) == "Vandaag gesloten, weer open morgen 10.00"


def test_after_closing_time_says_not_open_any_more(location):
    loc = hours(location, (1, (10, 0), (12, 0)), (4, (10, 0), (12, 0)))
    assert (
        presentation.today_text(loc, at(0, 12)) == "Vandaag niet meer open, weer open maandag 10.00"
    )


def test_only_today_and_already_closed_means_next_week(location):
    loc = hours(location, (4, (10, 0), (12, 0)))
    assert (
        presentation.today_text(loc, at(0, 15))
        == "Vandaag niet meer open, weer open volgende week donderdag 10.00"
    )


def test_detail_page_reads_out_todays_hours(client, location):
    today = presentation.local_now().isoweekday()
    hours(location, (today, (0, 0), (23, 59)))
    html = client.get(location.service.get_absolute_url()).content.decode()
    assert "Vandaag open van 0.00 tot 23.59" in html


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Eén op één", "één op één"),
        ("Eén keer of een paar keer", "één keer of een paar keer"),
        ("Vrijwilligers", "vrijwilligers"),
        ("Betaald: € 2,50 per keer", "betaald: € 2,50 per keer"),
        ("", ""),
    ],
)
def test_label_in_a_sentence_keeps_dutch_spelling(label, expected):
    assert presentation.in_sentence(label) == expected
