"""The catalogue's versions, kept in the shared cache: one per municipality, one for national
services, one for every change ("all") and one for the terms and municipalities every facet
offers ("terms").

A cached page, count or list is stored under a key that holds the versions of what it shows:
the municipality in view plus the national services plus the terms. An edit bumps only the
versions of what it touches, so a curator in one municipality leaves the cached pages of the
341 others warm.

A version that is missing (a fresh cache, an evicted key) starts at the current time in
nanoseconds: always higher than any value it had before, so an old entry is never read again.
Bumps happen at once and again after the transaction commits: a page computed between the
two, from data not yet committed, is never kept under the newest version.
"""

import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal

PREFIX = "catalogue-version:"
ALL = "all"
NATIONAL = "national"
TERMS = "terms"

# Sent after a catalogue change commits, just before its versions move (read replicas record
# the primary's WAL position on it: sociale_kaart/replica.py).
committed = Signal()


def municipality(pk):
    return f"m{pk}"


def scopes_for(municipality_ids):
    """The versions a view of these municipalities depends on (no municipality: all of them)."""
    if not municipality_ids:
        return [TERMS, ALL]
    return [TERMS, NATIONAL, *(municipality(pk) for pk in sorted(set(municipality_ids)))]


def service_scopes(national, municipality_ids):
    """The versions a page of one service depends on for the service itself: every change to
    it, its locations, hours, terms or organisation bumps these (services.signals): the
    national version for a national service, else its municipalities'. A local service in
    no municipality depends on ALL, which every bump moves."""
    scopes = [TERMS]
    if national:
        scopes.append(NATIONAL)
    scopes.extend(municipality(pk) for pk in sorted(set(municipality_ids)))
    return scopes if len(scopes) > 1 else [TERMS, ALL]


def current(scopes):
    """The versions of these scopes, in the same order, read in one round trip."""
    keys = [PREFIX + scope for scope in scopes]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        fresh = time.time_ns()
        for key in missing:
            cache.add(key, fresh, timeout=None)
        found.update(cache.get_many(missing))
    return [found.get(key, 0) for key in keys]


class ProcessMemo:
    """One value kept in this process while the versions it was made under are current, and
    for at most `seconds` (a write that bumps nothing shows within that time, as it does in
    the shared cache). Nothing is shared through it: every process makes its own copy, and
    the versions it is keyed by are read from the shared cache on every request, so an edit
    through one app server is seen by the others at once."""

    def __init__(self, seconds):
        self.seconds = seconds
        self._kept = (None, 0.0, None)  # (key, made at, value), replaced in one assignment

    def get(self, key, compute):
        fresh, value = self._lookup(key)
        if not fresh:
            value = compute()
            self._kept = (key, time.monotonic(), value)
        return value

    def peek(self, key):
        """The value kept under key if it is still good, else None (nothing is made)."""
        return self._lookup(key)[1]

    def _lookup(self, key):
        kept_key, made, value = self._kept
        if kept_key == key and time.monotonic() - made <= self.seconds:
            return True, value
        return False, None


class ProcessLRU:
    """Values kept in this process under keys that name everything they are made from
    (content-addressed: a card's key holds its service's version, a filter group's the
    hash of what it shows), for at most `seconds` each and `max_chars` of text in all,
    the least recently used dropped first.

    Nothing is shared through it and nothing can go stale through it: a key always
    means the same value, so two app servers with different entries still serve the same
    pages. It spares re-rendering what the shared cache lost (an eviction, a restart of
    Redis), which at 100k services was a fifth of an uncached catalogue page."""

    instances = []

    def __init__(self, seconds, max_chars):
        self.seconds = seconds
        self.max_chars = max_chars
        self._entries = OrderedDict()  # key -> (made at, value)
        self._chars = 0
        self._lock = threading.Lock()
        ProcessLRU.instances.append(self)

    def get_many(self, keys):
        """{key: value} of the keys kept and not too old."""
        now = time.monotonic()
        found = {}
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is None:
                    continue
                if now - entry[0] > self.seconds:
                    self._drop(key)
                    continue
                self._entries.move_to_end(key)
                found[key] = entry[1]
        return found

    def set_many(self, values):
        now = time.monotonic()
        with self._lock:
            for key, value in values.items():
                if key in self._entries:
                    self._drop(key)
                size = _chars(value)
                if size > self.max_chars:
                    continue
                self._entries[key] = (now, value)
                self._chars += size
            while self._chars > self.max_chars:
                self._drop(next(iter(self._entries)))

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._chars = 0

    def _drop(self, key):
        _made, value = self._entries.pop(key)
        self._chars -= _chars(value)


def _chars(value):
    """The length of a text, or of a list of texts together."""
    return len(value) if isinstance(value, str) else sum(map(len, value))


# The request attribute through which a view lets sociale_kaart.pagecache keep its page.
PAGE_ATTRIBUTE = "page_cache_versions"


def cache_page_under(request, scopes, values):
    """Let the page cache keep this request's page while these versions (read before the
    data the page shows) are current."""
    setattr(request, PAGE_ATTRIBUTE, (list(scopes), list(values)))


def read(municipality_ids):
    """(scopes, their current versions) of a view of these municipalities."""
    scopes = scopes_for(municipality_ids)
    return scopes, current(scopes)


def key_part(municipality_ids, read_versions=None):
    """A short string naming the versions a view of these municipalities depends on
    (read_versions: what read() returned, when the caller already read them)."""
    scopes, values = read_versions or read(municipality_ids)
    return ".".join(f"{s}={v}" for s, v in zip(scopes, values, strict=True))


def _bump_now(scopes):
    for scope in scopes:
        key = PREFIX + scope
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, time.time_ns(), timeout=None)


_batch = ContextVar("catalogue_version_batch", default=None)


def bump(municipality_ids=(), national=False, terms=False):
    """Invalidate what shows these municipalities (and national services, and the terms).

    Every bump also moves ALL, the version of views without a municipality."""
    scopes = {ALL, *(municipality(pk) for pk in municipality_ids if pk is not None)}
    if national:
        scopes.add(NATIONAL)
    if terms:
        scopes.add(TERMS)
    collecting = _batch.get()
    if collecting is not None:
        collecting.update(scopes)
        return
    scopes = sorted(scopes)
    _bump_now(scopes)
    transaction.on_commit(lambda: _after_commit(scopes))


@contextmanager
def batch():
    """Collect the bumps of many writes (an import) and bump each version once at the end."""
    if _batch.get() is not None:
        yield
        return
    scopes = set()
    token = _batch.set(scopes)
    try:
        yield
    finally:
        _batch.reset(token)
        if scopes:
            ordered = sorted(scopes)
            _bump_now(ordered)
            transaction.on_commit(lambda: _after_commit(ordered))


def _after_commit(scopes):
    committed.send(sender=None, scopes=scopes)
    _bump_now(scopes)


def bump_everything():
    """For writes whose reach is not worth working out (a synthetic load, a restore)."""
    from .models import Municipality

    bump(Municipality.objects.values_list("pk", flat=True), national=True, terms=True)


def bump_services(service_ids):
    """Bump the versions of the municipalities and scope these services are in now: call it
    before and after a bulk write, so both the old and the new places are invalidated.
    Two queries, whatever the number of services."""
    service_ids = list(service_ids)
    if service_ids:
        municipality_ids, national = places_of(service_ids)
        bump(municipality_ids, national=national)


def places_of(service_ids):
    """(municipality ids, whether any is national) of these services as stored now."""
    from .models import Service

    service_ids = list(service_ids)
    if not service_ids:
        return set(), False
    municipality_ids = set(
        Service.municipalities.through.objects.filter(service_id__in=service_ids).values_list(
            "municipality_id", flat=True
        )
    )
    national = Service.objects.filter(pk__in=service_ids, scope=Service.Scope.NATIONAL).exists()
    return municipality_ids, national
