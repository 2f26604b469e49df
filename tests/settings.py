"""Test run settings: the real settings with test-only environment defaults.

Only the environment differs; every setting still comes from sociale_kaart/settings.py.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("TESTING_PLAIN_STATIC", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")

from sociale_kaart.settings import *  # noqa: E402, F403

# Tests log staff in with force_login; tests/test_logins.py turns this on to test it.
SECOND_FACTOR_REQUIRED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# Live-server threads must not keep connections open past a test (database teardown).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
