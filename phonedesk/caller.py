"""The caller context of the call in progress, kept in the staff member's session.

It holds only what narrows the search (municipality, age, toggles), the services picked
for the summary and when the call started: nothing that identifies the caller, and never
the search terms.
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.utils import timezone

from services import criteria
from services.models import Municipality, Service

SESSION_KEY = "phonedesk_call"
MAX_PICKED = 8
MAX_COUNTED = 50
TOGGLES = ("free", "no_referral", "at_home", "by_phone")


@dataclass
class CallerContext:
    municipality_id: int | None = None
    age: int | None = None
    free: bool = False
    no_referral: bool = False
    at_home: bool = False
    by_phone: bool = False
    format: str = ""
    when: str = ""
    picked: list = field(default_factory=list)
    started: str = ""
    # Which terms this call has counted already, as keyed hashes: never the terms themselves.
    nonce: str = ""
    counted: list = field(default_factory=list)

    @classmethod
    def load(cls, session):
        """The context in the session, or a fresh one for the deployment's municipality."""
        data = session.get(SESSION_KEY)
        if not isinstance(data, dict):
            return cls.fresh()
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        try:
            return cls(**known)
        except TypeError:
            return cls.fresh()

    @classmethod
    def fresh(cls):
        default = (
            Municipality.objects.filter(slug=settings.DEFAULT_MUNICIPALITY)
            .values_list("pk", flat=True)
            .first()
        )
        return cls(municipality_id=default)

    def save(self, session):
        session[SESSION_KEY] = asdict(self)

    @staticmethod
    def clear(session):
        session.pop(SESSION_KEY, None)

    def start(self):
        """Mark the call as started at its first real action."""
        if not self.started:
            self.started = timezone.now().isoformat()

    @property
    def started_at(self):
        try:
            return datetime.datetime.fromisoformat(self.started)
        except (TypeError, ValueError):
            return None

    def update(self, cleaned_data):
        """Take over the valid fields of a CallContextForm."""
        if "municipality" in cleaned_data:
            municipality = cleaned_data["municipality"]
            self.municipality_id = municipality.pk if municipality else None
        if "age" in cleaned_data:
            self.age = cleaned_data["age"]
        for name in (*TOGGLES, "format", "when"):
            if name in cleaned_data:
                setattr(self, name, cleaned_data[name])

    def pick(self, pk):
        if pk not in self.picked and len(self.picked) < MAX_PICKED:
            self.picked.append(pk)

    def unpick(self, pk):
        if pk in self.picked:
            self.picked.remove(pk)

    def note_search(self, term):
        """Record that this call searched for term; True the first time (a new call for it)."""
        if not self.nonce:
            self.nonce = secrets.token_hex(16)
        key = (settings.SECRET_KEY + self.nonce).encode()
        marker = hmac.new(key, term.encode(), hashlib.sha256).hexdigest()[:16]
        if marker in self.counted:
            return False
        self.counted = [*self.counted, marker][-MAX_COUNTED:]
        return True

    @property
    def is_full(self):
        return len(self.picked) >= MAX_PICKED

    def services(self):
        """Services this caller can use (published or temporarily closed, which the desk marks): national, plus local ones of their municipality.

        Without a municipality only national services show, so a local offer of another
        municipality never does.
        """
        queryset = Service.objects.live()
        if self.municipality_id is None:
            return queryset.filter(scope=Service.Scope.NATIONAL)
        return queryset.for_municipality(self.municipality_id)

    def apply_toggles(self, queryset):
        """The caller's toggles as the catalogue's own filters (services.criteria)."""
        if self.free:
            queryset = queryset.filter(criteria.cost_q([Service.Cost.FREE]))
        if self.no_referral:
            queryset = queryset.filter(criteria.no_referral_q())
        settings_chosen = [name for name in ("at_home", "by_phone") if getattr(self, name)]
        for name in settings_chosen:
            queryset = queryset.filter(criteria.settings_q([name]))
        if self.format in criteria.FORMAT:
            queryset = queryset.filter(criteria.format_q([self.format]))
        if self.when in criteria.WHEN:
            queryset = queryset.filter(criteria.when_q([self.when]))
        return queryset
