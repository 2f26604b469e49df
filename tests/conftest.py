import shutil

import pytest
from django.db import connection

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's chromium: Playwright's own browser download is not available here."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: apt-get install -y chromium (see README)")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (pg_trgm and full-text search are not available on SQLite)")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and other cached state must not leak from one test into the next (nor
    what a process keeps of rendered parts)."""
    from django.core.cache import cache

    from services.versions import ProcessLRU

    for kept in ProcessLRU.instances:
        kept.clear()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _dutch_to_begin_with():
    """Every test starts in the site's own language: a request in English leaves English
    active in the thread (LocaleMiddleware activates, nothing deactivates), and a later
    test calling the presentation functions directly then read English labels."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
