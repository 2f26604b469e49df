"""Two app servers, one database, one cache: what a visitor or curator does through one
server holds on the other at once. Real gunicorn processes on loopback, the real PostgreSQL
and Redis; the servers share nothing else (as behind a load balancer, cookies go to both).

Bounded in time: each server must answer within STARTUP_SECONDS, each request within
REQUEST_SECONDS, and the servers are stopped after the test whatever happens.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.db import connection

from services.catalogue.forms import FORM_SALT
from services.catalogue.views import REPORTS_PER_HOUR
from services.models import ErrorReport, Service
from tests.factories import make_service, make_user

pytestmark = [pytest.mark.servers, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30
REQUEST_SECONDS = 10
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RESULTS_RE = re.compile(r'id="result-count"[^>]*>\s*(\d+)')


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url():
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("two app servers need a database server (PostgreSQL), not an SQLite file")
    user = urllib.parse.quote(db["USER"] or "")
    password = ":" + urllib.parse.quote(db["PASSWORD"]) if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


class AppServer:
    """One gunicorn (two sync workers) on its own loopback port."""

    def __init__(self, database_url, **extra_env):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url,
            "CACHE_URL": settings.CACHES["default"]["LOCATION"],
            "DATABASE_REPLICA_URL": "",
            **extra_env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "sociale_kaart.wsgi:application"]
            + ["--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--access-logfile", "-"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_until_up(self):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited: {self.process.stderr.read().decode()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn on port {self.port} did not answer in {STARTUP_SECONDS}s")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A browser's cookies, sent to whichever server a request goes to."""

    def __init__(self):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, server, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(server.url + path, body, timeout=REQUEST_SECONDS) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf_token(self, server, path):
        status, body = self.request(server, path)
        assert status == 200, (path, status)
        return CSRF_RE.search(body).group(1)

    def log_in(self, server, username, password="test-password-123", path="/beheer/login/"):
        """The staff login form, as a person fills it in: (status, body)."""
        token = self.csrf_token(server, "/beheer/login/")
        return self.request(
            server,
            path,
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
        )


@pytest.fixture(scope="module")
def servers(django_db_setup):
    database_url = _database_url()
    pair = [AppServer(database_url), AppServer(database_url)]
    try:
        for server in pair:
            server.wait_until_up()
        yield pair
    finally:
        for server in pair:
            server.stop()


def test_an_admin_change_through_one_server_shows_on_the_other_at_once(servers):
    one, other = servers
    service = make_service("Wandelclub De Twee Servers")
    make_service("Koffieochtend De Twee Servers")
    make_user("curator", is_staff=True, is_superuser=True)
    visitor, curator = Visitor(), Visitor()
    # The other server has the catalogue and the detail page in its cache.
    for _ in range(2):
        body = visitor.request(other, "/aanbod/")[1]
        assert service.name in body
        assert RESULTS_RE.search(body).group(1) == "2"
        assert visitor.request(other, f"/aanbod/{service.slug}/")[0] == 200

    status, _ = curator.log_in(one, "curator", path="/beheer/login/?next=/beheer/")
    assert status == 302
    token = curator.csrf_token(one, "/beheer/services/service/")
    status, _ = curator.request(
        one,
        "/beheer/services/service/",
        {
            "action": "archive",
            "_selected_action": [service.pk],
            "index": 0,
            "csrfmiddlewaretoken": token,
        },
    )
    assert status == 302
    assert Service.objects.get(pk=service.pk).status == Service.Status.ARCHIVED

    started = time.perf_counter()
    status, body = visitor.request(other, "/aanbod/")
    assert status == 200
    assert service.name not in body
    assert RESULTS_RE.search(body).group(1) == "1"  # the cached count, too
    assert visitor.request(other, f"/aanbod/{service.slug}/")[0] == 404
    print(
        f"\nchange visible on the other server in {(time.perf_counter() - started) * 1000:.0f} ms"
    )


def test_the_error_report_rate_limit_holds_across_both_servers(servers):
    service = make_service()
    visitor = Visitor()
    path = f"/aanbod/{service.slug}/meld-een-fout/"
    sent = REPORTS_PER_HOUR + 3
    for number in range(sent):
        server = servers[number % 2]
        token = visitor.csrf_token(server, f"/aanbod/{service.slug}/")
        status, _ = visitor.request(
            server,
            path,
            {
                "topic": "other",
                "started": signing.dumps(time.time() - 10, salt=FORM_SALT),
                "csrfmiddlewaretoken": token,
            },
        )
        assert status == 302
    # Both servers, four workers: one counter.
    assert ErrorReport.objects.count() == REPORTS_PER_HOUR
    print(f"\n{sent} reports over two servers, {ErrorReport.objects.count()} stored")


def test_a_session_made_on_one_server_works_on_the_other(servers):
    one, other = servers
    make_user("curator", is_staff=True, is_superuser=True)
    curator = Visitor()
    assert curator.request(other, "/beheer/")[0] == 302  # not logged in: to the login page
    status, _ = curator.log_in(one, "curator")
    assert status == 302
    status, body = curator.request(other, "/beheer/")
    assert status == 200
    assert "curator" in body


def test_the_login_lockout_holds_across_both_servers(servers):
    make_user("beheerder", is_staff=True, is_superuser=True)
    guesser = Visitor()
    statuses = [
        guesser.log_in(servers[n % 2], "beheerder", "fout")[0]
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    # The failures through both servers (four workers) go to one count: the fifth locks.
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    for server in servers:
        status, body = guesser.log_in(server, "beheerder")
        assert status == 429, server.url
        assert "Inloggen tijdelijk geblokkeerd" in body
    print(f"\n{settings.AXES_FAILURE_LIMIT} failures over two servers: locked on both")


# --- a streaming read replica -------------------------------------------------------------

REPLICA_URL = os.environ.get("TEST_REPLICA_URL", "")  # e.g. postgres://postgres@127.0.0.1:5433


def _sql(url, statement, params=()):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(statement, params).fetchone()


@pytest.fixture
def replica_server():
    """One app server with DATABASE_REPLICA_URL pointing at a streaming replica of the test
    database (bin/replica start makes one on port 5433)."""
    if not REPLICA_URL:
        pytest.skip("set TEST_REPLICA_URL to a streaming replica of this server (bin/replica)")
    primary_url = _database_url()
    name = connection.settings_dict["NAME"]
    replica_url = f"{REPLICA_URL.rstrip('/')}/{name}"
    if not _sql(replica_url, "SELECT pg_is_in_recovery()")[0]:
        pytest.fail(f"{REPLICA_URL} is not a replica (pg_is_in_recovery() is false)")
    server = AppServer(primary_url, DATABASE_REPLICA_URL=replica_url)
    try:
        server.wait_until_up()
        yield server, primary_url, replica_url
    finally:
        _sql(replica_url, "SELECT pg_wal_replay_resume()")
        server.stop()


def _wait_for_replay(primary_url, replica_url):
    target = _sql(primary_url, "SELECT pg_current_wal_lsn()::text")[0]
    deadline = time.monotonic() + REQUEST_SECONDS
    while time.monotonic() < deadline:
        if _sql(replica_url, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])[0]:
            return time.monotonic()
        time.sleep(0.02)
    raise AssertionError("the replica did not catch up in time")


def test_public_pages_read_the_replica_staff_and_fresh_changes_the_primary(replica_server):
    from django.core.cache import cache

    server, primary_url, replica_url = replica_server
    on_both = make_service("Buurtkamer Gerepliceerd")
    make_user("curator", is_staff=True, is_superuser=True)
    started = time.monotonic()
    lag_ms = (_wait_for_replay(primary_url, replica_url) - started) * 1000
    _sql(replica_url, "SELECT pg_wal_replay_pause()")
    # Written on the primary only while the replica stands still (and not through the site,
    # so no request told the replica router about it).
    primary_only = make_service("Inloop Alleen Primair")
    cache.clear()

    visitor, curator = Visitor(), Visitor()
    body = visitor.request(server, "/aanbod/")[1]
    assert on_both.name in body
    assert primary_only.name not in body  # read from the replica

    curator.log_in(server, "curator")
    body = curator.request(server, "/beheer/services/service/")[1]
    assert primary_only.name in body  # staff pages read the primary

    # A change through the site while the replica still stands still: public pages read the
    # primary until the replica has replayed it.
    token = curator.csrf_token(server, "/beheer/services/service/")
    status, _ = curator.request(
        server,
        "/beheer/services/service/",
        {"action": "archive", "_selected_action": [on_both.pk], "csrfmiddlewaretoken": token},
    )
    assert status == 302
    body = visitor.request(server, "/aanbod/")[1]
    assert on_both.name not in body
    assert primary_only.name in body
    print(f"\nreplica caught up with a write in {lag_ms:.0f} ms")
