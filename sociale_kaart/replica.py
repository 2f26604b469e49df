"""Read replicas: with DATABASE_REPLICA_URL set, public read-only pages read from the replica.

What goes to the replica: GET and HEAD requests to the public pages (URL namespaces in
REPLICA_NAMESPACES) from visitors who are not staff. Everything else reads and writes the
primary: POSTs, the admin, curation, the phone desk, staff users, and at all times the tables
of sessions, users and the database cache (a session made a moment ago must be found).

Fresh enough: after a change to the catalogue commits, the primary's WAL position is put in the
cache before the catalogue's version moves (services.versions.committed). A public request
first asks the replica whether it has replayed that far; if not, it reads the primary. So a
page is never computed from a lagging replica and cached under the newest version.
"""

import contextvars

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

REPLICA = "replica"
SAFE_METHODS = {"GET", "HEAD"}
# Tables that must be read where they were just written.
PRIMARY_ONLY_APPS = {"sessions", "auth", "admin", "django_cache"}
MIN_LSN_KEY = "replica:min-lsn"

_use_replica = contextvars.ContextVar("use_replica", default=False)


class ReplicaRouter:
    def __init__(self):
        from services import versions

        versions.committed.connect(record_primary_position, dispatch_uid="replica-position")

    def db_for_read(self, model, **hints):
        if _use_replica.get() and model._meta.app_label not in PRIMARY_ONLY_APPS:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def replica_is_current():
    """Whether the replica has replayed every catalogue change committed so far."""
    wanted = cache.get(MIN_LSN_KEY)
    try:
        with connections[REPLICA].cursor() as cursor:
            if wanted is None:
                cursor.execute("SELECT pg_is_in_recovery() IS NOT NULL")
            else:
                cursor.execute(
                    "SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)", [wanted]
                )
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        return False  # a replica that does not answer: the primary serves


class ReplicaMiddleware:
    """Routes a request's reads to the replica when it is a public read by a non-staff visitor."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.namespaces = set(getattr(settings, "REPLICA_NAMESPACES", ()))

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            _use_replica.set(False)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        user = getattr(request, "user", None)
        if (
            request.method in SAFE_METHODS
            and match is not None
            and match.namespaces
            and match.namespaces[0] in self.namespaces
            and not (user is not None and user.is_authenticated and user.is_staff)
            and replica_is_current()
        ):
            _use_replica.set(True)
        return None


def record_primary_position(sender=None, **kwargs):
    """After a catalogue change commits: the WAL position a replica must reach to show it."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            cache.set(MIN_LSN_KEY, cursor.fetchone()[0], timeout=3600)
    except DatabaseError:
        pass
