"""When an activity happens: its sessions, apart from a building's opening hours.

A session is a weekly or fortnightly meeting, a course (weekly meetings between two dates)
or a one-off event. `occurrences()` gives the concrete times in Europe/Amsterdam, through
dateutil's rrule, so a meeting stays at 10.00 local time across summer and winter time.
"""

import datetime

from dateutil import rrule
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .service import Location, OpeningPeriod, Service


class ActivitySession(models.Model):
    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Elke week")
        FORTNIGHTLY = "fortnightly", _("Om de week")
        COURSE = "course", _("Cursus (elke week, van … tot …)")
        ONCE = "once", _("Eén keer")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("dienst")
    )
    kind = models.CharField(_("hoe vaak"), max_length=12, choices=Kind.choices)
    weekday = models.PositiveSmallIntegerField(
        _("dag"),
        choices=OpeningPeriod.Weekday.choices,
        null=True,
        blank=True,
        help_text=_("Voor elke week, om de week en cursussen."),
    )
    start_date = models.DateField(
        _("eerste keer"),
        null=True,
        blank=True,
        help_text=_("De datum van de eerste keer. Nodig bij om de week, cursus en één keer."),
    )
    end_date = models.DateField(
        _("laatste keer"),
        null=True,
        blank=True,
        help_text=_("Laat leeg als het doorgaat zonder einddatum."),
    )
    starts_at = models.TimeField(_("begint om"))
    ends_at = models.TimeField(_("eindigt om"))
    location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("waar"),
    )
    signup_deadline = models.DateField(
        _("aanmelden vóór"),
        null=True,
        blank=True,
        help_text=_("Laat leeg als u zich niet hoeft aan te melden of altijd kunt instromen."),
    )
    places = models.PositiveSmallIntegerField(
        _("aantal plaatsen"), null=True, blank=True, validators=[MaxValueValidator(10_000)]
    )
    note = models.CharField(
        _("toelichting"),
        max_length=200,
        blank=True,
        help_text=_("Bijvoorbeeld: niet in de schoolvakanties."),
    )

    class Meta:
        ordering = ["weekday", "starts_at", "pk"]
        verbose_name = _("keer dat het plaatsvindt")
        verbose_name_plural = _("wanneer het plaatsvindt")

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_at:%H:%M}"

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("De eindtijd moet na de begintijd liggen.")
        repeating = (self.Kind.WEEKLY, self.Kind.FORTNIGHTLY, self.Kind.COURSE)
        if self.kind in repeating and self.weekday is None:
            errors["weekday"] = _("Kies de dag van de week.")
        dated = (self.Kind.FORTNIGHTLY, self.Kind.COURSE, self.Kind.ONCE)
        if self.kind in dated and self.start_date is None:
            errors["start_date"] = _("Vul de datum van de eerste keer in.")
        if self.kind == self.Kind.COURSE and self.end_date is None:
            errors["end_date"] = _("Vul de datum van de laatste keer in.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("De laatste keer kan niet vóór de eerste keer liggen.")
        if (
            self.kind == self.Kind.FORTNIGHTLY
            and self.start_date
            and self.weekday
            and self.start_date.isoweekday() != self.weekday
        ):
            errors["start_date"] = _("De eerste keer moet op de gekozen dag vallen.")
        if errors:
            raise ValidationError(errors)

    def pattern(self):
        """How often, in words: "Elke donderdag, 10.00–12.00 uur", "Op 3 december, ..."."""
        times = gettext("%(start)s–%(end)s uur") % {
            "start": formats.time_format(self.starts_at, "G.i"),
            "end": formats.time_format(self.ends_at, "G.i"),
        }
        day = OpeningPeriod.Weekday(self.weekday).label if self.weekday else ""
        if self.kind == self.Kind.ONCE and self.start_date:
            return gettext("Op %(date)s, %(times)s") % {
                "date": formats.date_format(self.start_date, "l j F Y"),
                "times": times,
            }
        if self.kind == self.Kind.COURSE and self.start_date and self.end_date:
            return gettext("Elke %(day)s van %(first)s tot en met %(last)s, %(times)s") % {
                "day": day,
                "first": formats.date_format(self.start_date, "j F"),
                "last": formats.date_format(self.end_date, "j F Y"),
                "times": times,
            }
        if self.kind == self.Kind.FORTNIGHTLY:
            return gettext("Om de week op %(day)s, %(times)s") % {"day": day, "times": times}
        return gettext("Elke %(day)s, %(times)s") % {"day": day, "times": times}

    def occurrences(self, after, count=1):
        """The next `count` (start, end) aware datetimes from `after` on (local time)."""
        tz = timezone.get_current_timezone()
        after_local = timezone.localtime(after, tz).replace(tzinfo=None)
        duration = datetime.datetime.combine(
            datetime.date.min, self.ends_at
        ) - datetime.datetime.combine(datetime.date.min, self.starts_at)
        rule = self._rule(after_local)
        if rule is None:
            return []
        found = []
        # Still going on counts: look back one duration so a session in progress is "now".
        for start in rule.xafter(after_local - duration, count=count, inc=True):
            found.append(
                (timezone.make_aware(start, tz), timezone.make_aware(start + duration, tz))
            )
        return found

    def _rule(self, after_local):
        first_day = self.start_date or after_local.date() - datetime.timedelta(days=7)
        dtstart = datetime.datetime.combine(first_day, self.starts_at)
        until = datetime.datetime.combine(self.end_date, self.starts_at) if self.end_date else None
        if self.kind == self.Kind.ONCE:
            return rrule.rrule(rrule.DAILY, count=1, dtstart=dtstart)
        if self.weekday is None:
            return None
        interval = 2 if self.kind == self.Kind.FORTNIGHTLY else 1
        return rrule.rrule(
            rrule.WEEKLY,
            interval=interval,
            byweekday=self.weekday - 1,
            dtstart=dtstart,
            until=until,
        )
