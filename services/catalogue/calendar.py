"""A service's sessions as an iCalendar file, so residents put them in their own agenda."""

import datetime

import icalendar
from django.conf import settings
from django.utils import timezone

from services.models import ActivitySession

RRULE_FREQ = {
    ActivitySession.Kind.WEEKLY: {"FREQ": "WEEKLY", "INTERVAL": 1},
    ActivitySession.Kind.FORTNIGHTLY: {"FREQ": "WEEKLY", "INTERVAL": 2},
    ActivitySession.Kind.COURSE: {"FREQ": "WEEKLY", "INTERVAL": 1},
}


def service_calendar(service, url, now=None):
    """An icalendar.Calendar with one (recurring) event per session of the service."""
    now = now or timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Sociale Kaart//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", service.name)
    for session in service.sessions.all():
        first = session.occurrences(now - datetime.timedelta(days=1), count=1)
        if not first:
            continue
        start, end = first[0]
        event = icalendar.Event()
        event.add("uid", f"session-{session.pk}@{settings.SITE_NAME.replace(' ', '-').lower()}")
        event.add("dtstamp", now)
        event.add("summary", service.name)
        event.add("dtstart", timezone.localtime(start))
        event.add("dtend", timezone.localtime(end))
        event.add("url", url)
        if session.location is not None:
            where = ", ".join(
                part
                for part in (
                    session.location.name,
                    session.location.address,
                    session.location.place,
                )
                if part
            )
            event.add("location", where)
        if session.note:
            event.add("description", session.note)
        if session.kind in RRULE_FREQ:
            rule = dict(RRULE_FREQ[session.kind])
            if session.end_date:
                rule["UNTIL"] = datetime.datetime.combine(
                    session.end_date, datetime.time(23, 59, 59), tzinfo=datetime.UTC
                )
            event.add("rrule", rule)
        calendar.add_component(event)
    return calendar
