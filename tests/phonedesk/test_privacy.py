"""The phone desk keeps nothing that identifies a caller, whatever staff type where.

Realistic names, addresses, postcodes, phone numbers and e-mail addresses go into every
field of every phone-desk form; afterwards every column of every table (session data
decoded) and every log line is searched for them.
"""

import json
import logging
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.db import connection
from django.urls import reverse

from phonedesk.models import SearchTermCount

HX = {"HX-Request": "true"}

# What staff might type, with the fragments that would give the caller away if stored.
PEOPLE = {
    "Jan de Vries": ["jandevries"],
    "mevrouw Bakker-Kuijpers": ["kuijpers"],
    "Fatima El Amrani": ["fatima", "amrani"],
    "mohammed yilmaz": ["mohammed", "yilmaz"],
    "Annemarie Hoogeveen": ["annemarie", "hoogeveen"],
    "henk dijkstra": ["dijkstra"],
    "piet jansen": ["pietjansen", "jansen"],
    "Kastanjelaan 117": ["kastanjelaan117"],
    "kastanjelaan 117b voorbeeldstad": ["kastanjelaan117"],
    "Zuiderhavenweg 9-II": ["zuiderhavenweg"],
    "3572 KX": ["3572kx"],
    "3572KX Utrecht": ["3572kx"],
    "0687193524": ["87193524"],
    "06-87193524": ["87193524"],
    "06 87 19 35 24": ["87193524"],
    "+31 6 8719 3524": ["87193524"],
    "+31687193524": ["87193524"],
    "0031687193524": ["87193524"],
    "(030) 219 47 63": ["2194763"],
    "030-2194763": ["2194763"],
    "f.elamrani@example.nl": ["elamrani", "fealamrani"],
    "jan.devries1954@hotmail.com": ["devries1954"],
    "henk.dijkstra at gmail punt com": ["dijkstra"],
}
EMAILS = ["f.elamrani@example.nl", "jan.devries1954@hotmail.com"]


def squash(value):
    """Lower case letters and digits only, so '06 87 19' and '068719' compare equal."""
    return re.sub(r"[^0-9a-z]", "", str(value).lower())


def every_cell():
    """(table.column, value) for every column of every row of every table."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    cells.append((f"{table}.{column}", value))
    for session in SessionStore.get_model_class().objects.all():
        decoded = json.dumps(SessionStore().decode(session.session_data))
        cells.append(("django_session.session_data (decoded)", decoded))
    return cells


def hits(haystack):
    found = []
    for typed, needles in PEOPLE.items():
        for needle in needles:
            for where, value in haystack:
                if needle in squash(value):
                    found.append((typed, needle, where))
    return found


@pytest.fixture
def typed_everywhere(desk_client, catalogue, caplog):
    """Type every sample into every phone-desk field, as staff could by mistake."""
    caplog.set_level(logging.DEBUG)
    delft, local = catalogue["delft"], catalogue["local"]
    for typed in PEOPLE:
        context = {"municipality": delft.pk, "age": "80", "format": "", "free": "on"}
        for htmx in (True, False):
            desk_client.post(
                reverse("phonedesk:search"), {"q": typed, **context}, headers=HX if htmx else {}
            )
        desk_client.post(reverse("phonedesk:note_search"), {"q": typed, **context})
        # The same text in the context fields instead of the search field.
        hostile = dict.fromkeys(("municipality", "age", "format", "free", "by_phone"), typed)
        desk_client.post(reverse("phonedesk:search"), {"q": "maatje", **hostile})
        desk_client.post(reverse("phonedesk:pick"), {"q": typed, "pick": local.pk, **context})
        desk_client.post(reverse("phonedesk:pick"), {"pick": typed})
        desk_client.post(reverse("phonedesk:pick"), {"unpick": typed, "from": typed})
        desk_client.get(reverse("phonedesk:gaps"), {"start": typed, "municipality": typed})
        desk_client.post(reverse("phonedesk:summary_email"), {"email": typed})
        for field in ("outcome", "services", "themes", "municipality", "age_band"):
            desk_client.post(reverse("phonedesk:finish"), {f"finish-{field}": typed})
        desk_client.post(
            reverse("phonedesk:finish"),
            {
                "finish-outcome": "no_offer",
                "finish-municipality": delft.pk,
                "finish-age_band": typed,
                "finish-themes": typed,
            },
        )
    # Two summaries really sent, to addresses that must not be kept either.
    desk_client.post(reverse("phonedesk:pick"), {"pick": local.pk})
    for address in EMAILS:
        response = desk_client.post(reverse("phonedesk:summary_email"), {"email": address})
        assert response.status_code == 302
    desk_client.post(
        reverse("phonedesk:finish"),
        {
            "finish-outcome": "referred",
            "finish-services": local.pk,
            "finish-municipality": delft.pk,
        },
    )
    return caplog


def test_nothing_typed_is_stored_in_any_table(typed_everywhere):
    cells = every_cell()
    assert len(cells) > 100
    assert hits(cells) == []
    # The searches were counted, as unknown words only.
    assert SearchTermCount.objects.exclude(term="").filter(term__icontains="jan").count() == 0
    assert SearchTermCount.objects.filter(term="").get().total >= len(PEOPLE)


def test_nothing_typed_reaches_a_log_line(typed_everywhere):
    # The typing happened while the fixture was set up.
    records = typed_everywhere.get_records("setup")
    lines = [(record.name, record.getMessage()) for record in records]
    lines += [(record.name, str(record.args)) for record in records]
    lines += [(record.name, str(record.exc_info)) for record in records if record.exc_info]
    assert len(lines) > 0
    assert hits(lines) == []


def test_the_summaries_did_go_out(typed_everywhere):
    assert {message.to[0] for message in mail.outbox} == set(EMAILS)


def cache_entries():
    """(key, value) of every entry in the shared cache, values as their stored bytes."""
    from django.core.cache import cache

    if not hasattr(cache, "_cache") or not hasattr(cache._cache, "get_client"):
        pytest.skip("the database cache is a table: test_nothing_typed_is_stored_in_any_table")
    client = cache._cache.get_client()
    return [(key.decode(), (client.get(key) or b"").decode("latin-1")) for key in client.keys("*")]


def test_nothing_typed_is_kept_in_the_shared_cache(typed_everywhere):
    entries = cache_entries()
    # The desk keeps its cards and its municipality's services there, never what was typed.
    assert any(":phonedesk-card:" in key for key, _value in entries)
    assert hits(entries) == []
