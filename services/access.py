"""Who may see or change what: the one access policy of the whole site.

For every kind of object there are two answers side by side, in the spirit of Wagtail's
permission policies and Oscar's `partner_product_visibility_q`:

- `scope(user, action, queryset)`: the rows of `queryset` this user may do `action` to
  (the queryset answer; a row outside it is a 404, indistinguishable from a missing one);
- `allows(user, action, obj=None, **proposed)`: may this user do `action` to this object,
  also an unsaved one or one as it would be after an edit (`scope=`, `municipalities=`,
  `organisation=` describe the proposed result).

Every admin hook, action, import, approval, restore, campaign, phone-desk view and coalition
admin asks here; nothing else decides. A policy-matrix test (tests/services/test_access.py)
checks that both answers agree for every role, action and scope.

Rules in words:
- national curators (and superusers) may do everything;
- a municipal curator curates local services whose municipalities are *all* among the ones
  they curate (a subset, never a mere overlap), and changes organisations whose services are
  all within that scope; national services and other organisations are read-only to them;
- a partner edits the services of their own organisations: a live service through a
  proposal, a new or unpublished one by sending it for review; never publishes;
- phone-desk staff and curators use the desk; the gap report and the call log are for
  curators, each seeing the calls of their own municipalities (national: all);
- coalitions: their coordinators, curators of their municipality, national curators.

Other apps' models are named here by label and field path only, so this module imports
nothing above the data model.
"""

import contextlib
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from . import roles
from .models import LIVE_STATUSES, Municipality, Organisation, ProposedChange, Service

ALL = "all"


class Actor:
    """The facts about one user that the rules need, read once per request."""

    def __init__(self, user):
        self.user = user
        self.active = bool(user.is_authenticated and user.is_active)
        self.superuser = self.active and user.is_superuser
        self.groups = (
            set(user.groups.values_list("name", flat=True))
            if self.active and not self.superuser
            else set()
        )
        self.national = self.superuser or roles.NATIONAL_CURATOR in self.groups
        self.curator = self.national or roles.CURATOR in self.groups
        self.desk = self.curator or roles.PHONE_DESK in self.groups
        self._curated = None
        self._organisations = None

    @property
    def curated(self):
        """ALL, or the ids of the municipalities this user curates (a frozenset)."""
        if self.national:
            return ALL
        if self._curated is None:
            self._curated = (
                frozenset(self.user.curated_municipalities.values_list("pk", flat=True))
                if roles.CURATOR in self.groups
                else frozenset()
            )
        return self._curated

    @property
    def organisations(self):
        """The ids of the organisations this user works for (a partner's own)."""
        if self._organisations is None:
            self._organisations = (
                frozenset(Organisation.objects.filter(users=self.user).values_list("pk", flat=True))
                if self.active
                else frozenset()
            )
        return self._organisations

    @property
    def partner(self):
        return bool(self.organisations)

    @property
    def staff_editor(self):
        """Someone with work in the services admin: a curator or a partner (staff only)."""
        return self.active and self.user.is_staff and (self.curator or self.partner)


def actor(user):
    """The Actor for a user, cached on the user object (one per request)."""
    cached = getattr(user, "_access_actor", None)
    if cached is None:
        cached = Actor(user)
        with contextlib.suppress(AttributeError):
            user._access_actor = cached
    return cached


# Footprints: where a service is offered. Curating needs the whole footprint in scope. --


@dataclass(frozen=True)
class Footprint:
    scope: str
    municipalities: frozenset

    @classmethod
    def of(cls, service, *, scope=None, municipalities=None):
        """The footprint of a service as proposed; what is not proposed, as stored."""
        stored = _stored(service)
        if municipalities is None:
            municipalities = stored["municipalities"]
        ids = frozenset(m if isinstance(m, int) else m.pk for m in municipalities)
        return cls(scope or stored["scope"] or service.scope, ids)

    @classmethod
    def stored(cls, service):
        stored = _stored(service)
        return cls(stored["scope"], frozenset(stored["municipalities"]))

    def within(self, curated):
        if curated == ALL:
            return True
        return (
            self.scope == Service.Scope.LOCAL
            and bool(self.municipalities)
            and (self.municipalities <= curated)
        )


def preload_stored(services):
    """Fill the stored-state cache _stored() reads, for many services in two queries (a CSV
    import checks thousands of rows)."""
    services = [service for service in services if service.pk]
    ids = [service.pk for service in services]
    rows = {
        row["pk"]: row
        for row in Service.objects.filter(pk__in=ids).values(
            "pk", "scope", "organisation_id", "status"
        )
    }
    municipalities = {pk: [] for pk in ids}
    through = Service.municipalities.through.objects.filter(service_id__in=ids)
    for service_id, municipality_id in through.values_list("service_id", "municipality_id"):
        municipalities[service_id].append(municipality_id)
    for service in services:
        row = rows.get(service.pk, {})
        service.__dict__["_access_stored"] = {
            "pk": service.pk,
            "scope": row.get("scope"),
            "organisation": row.get("organisation_id"),
            "status": row.get("status"),
            "municipalities": municipalities[service.pk],
        }


def _stored(service):
    """Scope, municipalities, organisation and status as saved in the database (an edit in
    progress may have changed the instance in memory), cached on the instance."""
    if not service.pk:
        return {"scope": None, "municipalities": [], "organisation": None, "status": None}
    cached = service.__dict__.get("_access_stored")
    if cached is None or cached["pk"] != service.pk:
        row = Service.objects.filter(pk=service.pk).values("scope", "organisation_id", "status")
        row = row.first() or {"scope": None, "organisation_id": None, "status": None}
        cached = {
            "pk": service.pk,
            "scope": row["scope"],
            "organisation": row["organisation_id"],
            "status": row["status"],
            "municipalities": list(
                Service.municipalities.through.objects.filter(service_id=service.pk).values_list(
                    "municipality_id", flat=True
                )
            ),
        }
        service.__dict__["_access_stored"] = cached
    return cached


def _curatable_services_q(who):
    if who.national:
        return Q()
    if not who.curated:
        return Q(pk__in=[])
    through = Service.municipalities.through
    inside = through.objects.filter(service=OuterRef("pk"), municipality__in=who.curated)
    outside = through.objects.filter(service=OuterRef("pk")).exclude(municipality__in=who.curated)
    return Q(scope=Service.Scope.LOCAL) & Q(Exists(inside)) & ~Q(Exists(outside))


def _own_services_q(who):
    return Q(organisation__in=who.organisations) if who.organisations else Q(pk__in=[])


def service_q(user, action):
    """A Q over Service for the services this user may do `action` to."""
    who = actor(user)
    if not who.active:
        return Q(pk__in=[])
    if who.national:
        # Q() means "every row" in a filter, but an OR drops it: answer it here.
        return Q()
    if action == "curate":
        return _curatable_services_q(who)
    if action == "change":
        return _curatable_services_q(who) | _own_services_q(who)
    if action == "view":
        if who.curator:
            return (
                Q(scope=Service.Scope.NATIONAL) | _curatable_services_q(who) | _own_services_q(who)
            )
        return _own_services_q(who)
    if action == "delete":
        return Q() if who.national else Q(pk__in=[])
    raise ValueError(f"unknown action on services: {action}")


def may_curate(user, service, **proposed):
    """May this user write the service directly, as it is and as it would be after the edit?"""
    curated = actor(user).curated
    if not actor(user).active or not curated:
        return False
    if service.pk and not Footprint.stored(service).within(curated):
        return False
    return Footprint.of(service, **_footprint_args(proposed)).within(curated)


def is_own(user, service, *, organisation=None):
    """Is the service (and, after the edit, its organisation) one of the user's own?"""
    own = actor(user).organisations
    if service.pk and _stored(service)["organisation"] not in own:
        return False
    target = organisation if organisation is not None else service.organisation_id
    target = getattr(target, "pk", target)
    return target in own


def _footprint_args(proposed):
    return {k: proposed[k] for k in ("scope", "municipalities") if k in proposed}


class Write:
    """How an edit of a service is stored: see `service_write`."""

    DIRECT = "direct"  # a curator in scope: saved as it is
    PROPOSE = "propose"  # a partner editing a live service: a proposal waits for review
    SUBMIT = "submit"  # a partner's new or unpublished service: saved "in review"
    DENY = "deny"


def service_write(user, service, **proposed):
    """How this user's edit of `service` (saved or new; `proposed`: the result) is stored."""
    who = actor(user)
    if not who.active:
        return Write.DENY
    if may_curate(user, service, **proposed):
        return Write.DIRECT
    if is_own(user, service, organisation=proposed.get("organisation")):
        if service.pk and _stored(service)["status"] in LIVE_STATUSES:
            return Write.PROPOSE
        return Write.SUBMIT
    return Write.DENY


# Organisations ------------------------------------------------------------------------


def organisation_q(user, action):
    who = actor(user)
    if not who.active:
        return Q(pk__in=[])
    if who.national:
        return Q()
    if action == "view":
        return Q() if who.curator else Q(pk__in=who.organisations)
    if action == "change" and who.curator:
        outside = Service.objects.exclude(_curatable_services_q(who)).filter(
            organisation=OuterRef("pk")
        )
        return ~Q(Exists(outside))
    return Q(pk__in=[])


# Proposals, history, reports, campaigns -------------------------------------------------


def may_review(user, proposal):
    """Approve or reject: the service as it is and as the proposal would leave it in scope."""
    service = proposal.service
    if proposal.kind == ProposedChange.Kind.NEW:
        return may_curate(user, service)
    fields = proposal.data.get("fields", {})
    m2m = proposal.data.get("m2m", {})
    return may_curate(
        user,
        service,
        scope=fields.get("scope", service.scope),
        municipalities=m2m.get("municipalities", None),
    )


def may_restore(user, version):
    snapshot = version.snapshot
    return may_curate(
        user,
        version.service,
        scope=snapshot.get("fields", {}).get("scope"),
        municipalities=snapshot.get("m2m", {}).get("municipalities"),
    )


# The rules per model, by label. `path`: how a row reaches the object its rule is about. ---

TAXONOMY_LABELS = {
    "services.targetgroup",
    "services.supporttype",
    "services.theme",
    "services.language",
    "services.synonym",
    "services.municipality",
}


def _service_ids(user, action):
    return Service.objects.filter(service_q(user, action)).values("pk")


def _municipalities_q(who, field):
    if who.national:
        return Q()
    curated = who.curated
    return Q(**{f"{field}__in": curated}) if curated else Q(pk__in=[])


def coalition_q(user, action, path=""):
    """Coalitions (reached through `path`) this user may see or change."""
    who = actor(user)
    prefix = f"{path}__" if path else ""
    if action == "view":
        published = Q(**{f"{prefix}is_published": True})
        if not who.active:
            return published
        return published | coalition_q(user, "change", path)
    if not who.active:
        return Q(pk__in=[])
    if who.national:
        return Q()
    managed = _municipalities_q(who, f"{prefix}municipality")
    if action == "manage":  # move it, hand out access, start one: the municipality's call
        return managed
    coordinated = Q(**{f"{prefix}coordinators": who.user})
    return managed | coordinated


COALITION_PATHS = {
    "coalitions.coalition": "",
    "coalitions.membership": "coalition",
    "coalitions.goal": "coalition",
    "coalitions.indicator": "goal__coalition",
    "coalitions.measurement": "indicator__goal__coalition",
    "coalitions.commitment": "goal__coalition",
}


def _q(user, action, label):
    who = actor(user)
    if label == "services.service":
        return service_q(user, action)
    if label in ("services.location",):
        return Q(service__in=_service_ids(user, "view" if action == "view" else "change"))
    if label == "services.openingperiod":
        return Q(location__service__in=_service_ids(user, "view" if action == "view" else "change"))
    if label == "services.organisation":
        return organisation_q(user, action)
    if label == "services.organisationversion":
        return Q(organisation__in=Organisation.objects.filter(organisation_q(user, "view")))
    if label in ("services.proposedchange", "services.errorreport"):
        return Q(service__in=_service_ids(user, "curate"))
    if label == "services.serviceversion":
        return Q(service__in=_service_ids(user, "view"))
    if label == "services.verificationcampaign":
        if who.national:
            return Q()
        return Q(created_by=who.user) if who.curator else Q(pk__in=[])
    if label in TAXONOMY_LABELS:
        if action == "view":
            return Q() if who.curator else Q(pk__in=[])
        return Q() if who.national else Q(pk__in=[])
    if label in ("phonedesk.call", "phonedesk.searchtermcount"):
        if not who.curator:
            return Q(pk__in=[])
        return _municipalities_q(who, "municipality")
    if label in COALITION_PATHS:
        return coalition_q(user, action, COALITION_PATHS[label])
    if label == "coalitions.lonelinessfigure":
        if who.national:
            return Q()
        # National figures (no municipality) are kept by national curators only.
        return _municipalities_q(who, "municipality") & Q(municipality__isnull=False)
    raise ValueError(f"no access rule for {label}")


def scope(user, action, queryset):
    """The rows of `queryset` this user may do `action` to (the queryset answer)."""
    q = _q(user, action, queryset.model._meta.label_lower)
    return (
        queryset.filter(q).distinct() if _needs_distinct(queryset, action) else queryset.filter(q)
    )


def _needs_distinct(queryset, action):
    # Conditions through many-to-many paths (coordinators) can repeat rows.
    return queryset.model._meta.label_lower in COALITION_PATHS and action != "manage"


def allows(user, action, obj=None, *, kind=None, **proposed):
    """May this user do `action` to `obj`? With obj None: to some object of `kind` at all
    (a model label such as "services.organisation"), or a page without an object."""
    who = actor(user)
    if not who.active:
        return action == "view" and getattr(obj, "is_published", False) is True
    if obj is None:
        return _allows_kind(who, action, kind)
    if action == "link_users":
        return who.national
    if isinstance(obj, Service):
        if action == "curate":
            return may_curate(user, obj, **proposed)
        if action == "change":
            return service_write(user, obj, **proposed) != Write.DENY
        if action == "add":
            return service_write(user, obj, **proposed) != Write.DENY
    if isinstance(obj, ProposedChange) and action == "review":
        return obj.service_id in _ids(user, "curate") and may_review(user, obj)
    if action == "restore":
        return may_restore(user, obj)
    if obj.pk is None:
        return _allows_kind(who, action, obj._meta.label_lower)
    return scope(user, action, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def _ids(user, action):
    return set(Service.objects.filter(service_q(user, action)).values_list("pk", flat=True))


def _allows_kind(who, action, kind):
    """Answers that need no object: which menus and pages someone has at all."""
    if action == "use_desk":
        return who.desk
    if action == "see_gap_report":
        return who.curator
    if action == "curate":
        return who.curator
    if action == "use_admin":
        return who.staff_editor or manages_coalitions(who.user)
    if kind in (None, "services.service", "services.location", "services.openingperiod"):
        if action == "delete":
            return who.national if kind == "services.service" else who.curator or who.partner
        return who.curator or who.partner
    if kind == "services.organisation":
        return who.curator if action in ("view", "change", "add") else who.national
    if kind in TAXONOMY_LABELS:
        return who.national if action != "view" else who.curator
    if kind in COALITION_PATHS:
        return manages_coalitions(who.user) if action != "manage" else bool(who.curated)
    if kind == "coalitions.lonelinessfigure":
        return bool(who.curated)
    return who.national


def needs_second_factor(user):
    """Must this user's login include a second factor? Administrators and curators (municipal
    and national): they change what residents read. Partners and desk staff may choose."""
    who = actor(user)
    return who.superuser or who.curator


def manages_coalitions(user):
    """Has this user any coalition or municipality whose coalitions they keep?"""
    who = actor(user)
    if not who.active:
        return False
    if who.curated:
        return True
    return (
        user.coordinated_coalitions.exists() if hasattr(user, "coordinated_coalitions") else False
    )


def municipalities(user):
    """The municipalities whose coalitions and figures this user manages (curated ones)."""
    who = actor(user)
    if who.national:
        return Municipality.objects.all()
    return Municipality.objects.filter(pk__in=who.curated or [])
