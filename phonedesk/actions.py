"""Writes of the phone desk: logging a finished call, counting a search, mailing a summary."""

import datetime
import math
import re

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from services import text

from .models import TERM_MAX_LENGTH, Call, SearchTermCount

ROUND_TO_MINUTES = 15
# Words with several digits are phone numbers, postcodes or house numbers: never counted.
NUMBER_WORD_RE = re.compile(r"[0-9].*[0-9].*[0-9]")


def _round_down(moment, minutes=ROUND_TO_MINUTES):
    moment = moment.replace(second=0, microsecond=0)
    return moment - datetime.timedelta(minutes=moment.minute % minutes)


def call_finish(*, started_at, outcome, municipality=None, age_band="", themes=(), services=()):
    """Log a finished call anonymously and return it.

    The start is rounded down to the quarter hour and the duration up to whole minutes, so
    that the record cannot be matched to one line of a telephone system's own call log.
    """
    ended_at = timezone.now()
    started_at = min(started_at or ended_at, ended_at)
    minutes = math.ceil((ended_at - started_at).total_seconds() / 60) or 1
    call = Call(
        started_at=_round_down(started_at),
        duration_minutes=min(minutes, 32767),
        municipality=municipality,
        age_band=age_band or "",
        outcome=outcome,
    )
    call.full_clean()
    with transaction.atomic():
        call.save()
        call.themes.set(themes)
        call.services.set(services)
    return call


def normalised_term(query):
    """The query as it is counted: plain words, numbers dropped, cut to the column's length."""
    kept = [word for word in text.words(query) if not NUMBER_WORD_RE.search(word)]
    term = " ".join(kept)[:TERM_MAX_LENGTH].strip()
    return term if len(term.replace(" ", "")) >= 2 else ""


def search_term_count(*, query, found, day=None):
    """Add one search to today's count for its normalised term; returns the term or ""."""
    term = normalised_term(query)
    if not term:
        return ""
    day = day or timezone.localdate()
    zero = 0 if found else 1
    updated = SearchTermCount.objects.filter(day=day, term=term).update(
        total=F("total") + 1, zero_results=F("zero_results") + zero
    )
    if not updated:
        try:
            with transaction.atomic():
                SearchTermCount.objects.create(day=day, term=term, total=1, zero_results=zero)
        except IntegrityError:
            # Another request created the row a moment ago.
            SearchTermCount.objects.filter(day=day, term=term).update(
                total=F("total") + 1, zero_results=F("zero_results") + zero
            )
    return term


def summary_send(*, to, services):
    """E-mail the summary of the picked services to one address, which is not kept anywhere."""
    context = {
        "services": services,
        "SITE_NAME": settings.SITE_NAME,
        "HELPLINE_PHONE": settings.HELPLINE_PHONE,
        "HELPLINE_HOURS": settings.HELPLINE_HOURS,
    }
    message = EmailMessage(
        subject=_("Informatie van de %(site)s") % {"site": settings.SITE_NAME},
        body=render_to_string("phonedesk/summary_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.send()
