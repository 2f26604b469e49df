"""Test run settings: the real settings with test-only environment defaults.

Only the environment differs; every setting still comes from sociale_kaart/settings.py.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("TESTING_PLAIN_STATIC", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")


def _test_cache_url():
    """The real Redis: database 1 unless CACHE_URL says otherwise; with pytest-xdist each
    worker gets the next database number, since clearing the cache empties a whole database."""
    url = os.environ.get("CACHE_URL") or "redis://127.0.0.1:6379/1"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ...
    if worker.startswith("gw") and worker[2:].isdigit():
        base, _, number = url.rpartition("/")
        url = f"{base}/{(int(number) if number.isdigit() else 0) + int(worker[2:])}"
    return url


os.environ["CACHE_URL"] = _test_cache_url()

from sociale_kaart.settings import *  # noqa: E402, F403

# Tests log staff in with force_login; tests/test_logins.py turns this on to test it.
SECOND_FACTOR_REQUIRED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# Live-server threads must not keep connections open past a test (database teardown).
for _database in DATABASES.values():  # noqa: F405
    _database["CONN_MAX_AGE"] = 0

# Whole-page caching is off in tests: many tests change rows without signals and read the
# page again. tests/sociale_kaart/test_pagecache.py turns it on to test it.
PAGE_CACHE_SECONDS = 0
