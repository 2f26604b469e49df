"""Writes of the phone desk: logging a finished call, counting a search, mailing a summary."""

import datetime
import hashlib
import hmac
import logging
import math
import re
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from . import terms
from .models import Call, SearchTermCount, Source

ROUND_TO_MINUTES = 15
logger = logging.getLogger(__name__)


class MailNotSent(Exception):
    """The summary could not be handed to the mail server; `refused` if it refused the address."""

    def __init__(self, *, refused):
        super().__init__("refused" if refused else "unavailable")
        self.refused = refused


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


def search_term_count(
    *, query, found, municipality=None, first_in_call=True, source=Source.DESK, day=None
):
    """Add one search to the day's count for its term and municipality (an id); returns the term.

    Only a term whose every word is in the closed vocabulary is kept as text
    (terms.keepable_term); any other search adds to the blank "unknown word" row. `calls`
    grows only for the first search of this term in a call (or a visit to the site), so the
    gap report can ask for several different calls. Returns None when nothing was counted.
    """
    term = terms.keepable_term(query)
    if term is None:
        return None
    day = day or timezone.localdate()
    changes = {
        "total": F("total") + 1,
        "zero_results": F("zero_results") + (0 if found else 1),
        "calls": F("calls") + (1 if first_in_call else 0),
    }
    key = {"day": day, "municipality_id": municipality, "source": source, "term": term}
    if not SearchTermCount.objects.filter(**key).update(**changes):
        try:
            with transaction.atomic():
                SearchTermCount.objects.create(
                    **key,
                    total=1,
                    zero_results=0 if found else 1,
                    calls=1 if first_in_call else 0,
                )
        except IntegrityError:
            # Another request created the row a moment ago.
            SearchTermCount.objects.filter(**key).update(**changes)
    return term


VISITOR_COOKIE = "gezocht"
MAX_VISITOR_MARKERS = 20
MARKER_RE = re.compile(r"^[0-9a-f]{12}$")


def catalogue_search_count(*, request, response, query, municipality, **kwargs):
    """Count a resident's catalogue search that found nothing, like a phone-desk search.

    The same closed vocabulary applies. A visitor counts once per term: a cookie of this
    browser (until it closes) lists keyed hashes of the terms already counted, never the
    terms; the server keeps nothing about the visitor.
    """
    term = terms.keepable_term(query)
    if term is None:
        return
    key = settings.SECRET_KEY.encode()
    marker = hmac.new(key, ("catalogue:" + term).encode(), hashlib.sha256).hexdigest()[:12]
    seen = [
        value
        for value in request.COOKIES.get(VISITOR_COOKIE, "").split(".")
        if MARKER_RE.match(value)
    ]
    first = marker not in seen
    search_term_count(
        query=query,
        found=False,
        municipality=getattr(municipality, "pk", None),
        first_in_call=first,
        source=Source.CATALOGUE,
    )
    if first:
        response.set_cookie(
            VISITOR_COOKIE,
            ".".join([*seen, marker][-MAX_VISITOR_MARKERS:]),
            samesite="Lax",
            httponly=True,
        )


def summary_send(*, to, services):
    """E-mail the summary of the picked services to one address, which is not kept anywhere.

    Called outside any database transaction (the desk's views write nothing around it), so
    a slow or failing mail server never holds a transaction open. SMTP errors become
    MailNotSent; the log says what kind of failure it was, never the address (an SMTP
    error's own text often contains it).
    """
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
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _text in error.recipients.values()})
        logger.warning("Summary e-mail refused by the mail server (SMTP %s).", codes)
        raise MailNotSent(refused=True) from None
    except smtplib.SMTPResponseException as error:
        logger.warning("Summary e-mail not sent (SMTP %s).", error.smtp_code)
        raise MailNotSent(refused=500 <= error.smtp_code < 600) from None
    except (smtplib.SMTPException, OSError) as error:
        logger.warning(
            "Summary e-mail not sent: mail server unavailable (%s).", type(error).__name__
        )
        raise MailNotSent(refused=False) from None
