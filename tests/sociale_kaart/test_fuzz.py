"""No input gives a 5xx: every URL pattern, driven with generated hostile values.

Each URL pattern of the site (public pages, the phone desk, coalitions, the curation pages
and, for a logged-in partner, every admin pattern) gets GET and POST requests with hostile
path values, query parameters, form fields and cookies. Examples are bounded per pattern
(FUZZ_EXAMPLES, FUZZ_ADMIN_EXAMPLES) so the run fits in CI; FUZZ_REPORT names a JSON file
for the figures (requests and status codes per pattern).
"""

import json
import os
import re
from collections import Counter, defaultdict
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.services.curation_fixtures import build_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
ADMIN_EXAMPLES = int(os.environ.get("FUZZ_ADMIN_EXAMPLES", "2"))
FIGURES = defaultdict(Counter)

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x07",
    "\r\nSet-Cookie: x=y",
    "²",
    "٣",
    "１２",
    "1e9",
    "-1",
    "0",
    "99999999999999999999999",
    "9223372036854775808",
    "0001-01-01",
    "9999-12-31",
    "2026-02-31",
    "31-12-2026",
    "1,5",
    "NaN",
    "inf",
    "true",
    "on",
    "[]",
    "{}",
    "null",
    "'; DROP TABLE services_service; --",
    '"><script>alert(1)</script>',
    "%00",
    "%ZZ",
    "../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "x" * 5000,
    "🙂👵🏽",
    "a:* & | ! ( )",
    "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25.26.27.28.29.30.31",
    "\u202e\u200b",
]
hostile = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(-(10**25), 10**25).map(str),
    st.from_regex(r"-?[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}", fullmatch=True),
)
# The parameters, fields and cookies the site reads, plus ones it does not know.
PARAMS = [
    "q", "d", "pagina", "sorteer", "leeftijd", "gemeente", "thema", "doelgroep", "steun",
    "kosten", "vorm", "taal", "next", "start", "end", "period", "municipality", "age",
    "format", "free", "pick", "unpick", "from", "email", "outcome", "services", "themes",
    "age_band", "name", "summary", "message", "topic", "username", "password", "otp_token",
    "o", "p", "e", "all", "_changelist_filters", "action", "_selected_action", "select_across",
    "finish-outcome", "finish-services", "finish-themes", "finish-municipality",
    "finish-age_band", "token", "status", "scope", "organisation", "website", "onbekend",
]  # fmt: skip
COOKIES = ["gemeente", "mijnlijst", "vergelijk", "sessionid", "csrftoken", "messages"]


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


ROUTES = sorted(
    route
    for route in set(_patterns(get_resolver().url_patterns))
    if not route.startswith(("static", "media"))
)
CONVERTER_RE = re.compile(r"<(?:(\w+):)?(\w+)>")
GROUP_RE = re.compile(r"\(\?P<(\w+)>([^)]*)\)")


def segment(kind):
    """A strategy for one path value of a converter."""
    if kind == "int":
        return st.one_of(st.integers(0, 10**22).map(str), st.sampled_from(["1", "2", "3"]))
    if kind == "slug":
        return st.one_of(
            st.from_regex(r"[-a-zA-Z0-9_]{1,60}", fullmatch=True),
            st.sampled_from(["koffie-ochtend", "luisterlijn", "zoekwoorden-zonder-resultaat"]),
        )
    # str and path (and the admin's object ids): anything, quoted into the URL.
    return hostile.map(lambda value: quote(value, safe="") or "x")


@st.composite
def url_for(draw, route):
    def fill(match):
        return draw(segment(match.group(1) or "str"))

    def alternative(match):
        return draw(st.sampled_from(match.group(2).split("|"))) if "|" in match.group(2) else "x"

    if route.startswith("beheer/^") or "(?P<" in route:
        route = GROUP_RE.sub(alternative, route.replace("^", "").replace("$", ""))
    return "/" + CONVERTER_RE.sub(fill, route)


def data():
    return st.dictionaries(st.sampled_from(PARAMS), st.lists(hostile, max_size=2), max_size=4)


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def clients(world):
    made = {}
    for name in ("anonymous", "partner", "phone", "curator"):
        client = Client(raise_request_exception=True)
        if name != "anonymous":
            client.force_login(getattr(world, name))
        made[name] = client
    return made


def drive(clients, route, who, url, method, params, cookies):
    client = clients[who]
    client.cookies.clear()
    if who != "anonymous":
        # force_login left the session cookie; keep it, put hostile cookies beside it.
        client.cookies["sessionid"] = clients[f"{who}_session"]
    for name, value in cookies.items():
        if name != "sessionid" or who == "anonymous":
            # A Cookie header is bytes: UTF-8 from a browser arrives as latin-1 in WSGI.
            client.cookies[name] = value.encode().decode("latin-1")
    with transaction.atomic():
        send = client.get if method == "GET" else client.post
        response = send(url, params)
        transaction.set_rollback(True)
    FIGURES[route][response.status_code] += 1
    assert response.status_code < 500, (method, url, params, cookies, response.status_code)


def _identity(route):
    if route.startswith("beheer/"):
        return st.just("partner")
    return st.sampled_from(["anonymous", "phone", "curator"])


@pytest.mark.parametrize("route", ROUTES)
def test_no_input_gives_a_server_error(clients, route):
    limit = ADMIN_EXAMPLES if route.startswith("beheer/") else EXAMPLES
    for name in list(clients):
        if name != "anonymous":
            clients[f"{name}_session"] = clients[name].cookies["sessionid"].value

    @settings(
        max_examples=limit,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        who=_identity(route),
        url=url_for(route),
        method=st.sampled_from(["GET", "POST"]),
        params=data(),
        cookies=st.dictionaries(st.sampled_from(COOKIES), hostile, max_size=3),
    )
    def run(who, url, method, params, cookies):
        drive(clients, route, who, url, method, params, cookies)

    run()


def teardown_module(module):
    path = os.environ.get("FUZZ_REPORT")
    if path and FIGURES:
        with open(path, "w") as handle:
            json.dump({route: dict(counts) for route, counts in FIGURES.items()}, handle, indent=1)


# Behind a campaign link: the provider's sections and their structured forms, with the
# token in the session (the generic run above only reaches the "invalid link" page).
SECTION_FIELDS = [
    "service", "section", "name", "summary", "essence", "min_age", "max_age", "cost",
    "cost_amount", "cost_unit", "cost_text", "phone", "email", "url", "how_to_apply",
    "conditions", "wait_time", "referral_required", "keer-TOTAL_FORMS", "keer-INITIAL_FORMS",
    "keer-0-id", "keer-0-kind", "keer-0-weekday", "keer-0-start_date", "keer-0-starts_at",
    "keer-0-ends_at", "keer-0-location", "keer-0-DELETE", "plek-TOTAL_FORMS",
    "plek-INITIAL_FORMS", "plek-0-id", "plek-0-name", "plek-0-address",
]  # fmt: skip


@pytest.mark.parametrize(
    "section", ["", "wat", "kosten", "wanneer", "waar", "contact", "aanmelden"]
)
def test_campaign_pages_with_a_good_link_give_no_server_error(world, section):
    from services import actions
    from services.models import Location, Service

    Location.objects.create(service=world.ours, name="Buurthuis", place="Hierdorp")
    campaign, _skipped = actions.campaign_start(
        name="Ronde", services=Service.objects.filter(pk=world.ours.pk), user=world.curator
    )
    client = Client(raise_request_exception=True)
    link = actions.campaign_link(campaign.recipients.get(), base_url="")
    assert client.get(link).status_code == 302
    url = f"/controle/dienst/{world.ours.pk}/{section}/" if section else "/controle/"
    fields = st.dictionaries(
        st.sampled_from(SECTION_FIELDS),
        st.one_of(hostile, st.sampled_from(["1", "0", "weekly", "4", "10:00", "2,50"])),
        max_size=8,
    )

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(method=st.sampled_from(["GET", "POST"]), params=fields)
    def run(method, params):
        with transaction.atomic():
            send = client.get if method == "GET" else client.post
            response = send(url, params)
            transaction.set_rollback(True)
        assert response.status_code < 500, (method, url, params, response.status_code)
        seen[response.status_code] += 1

    seen = Counter()
    run()
    # The forms were reached, not only the "invalid link" page.
    assert seen.keys() - {404, 410}, seen
