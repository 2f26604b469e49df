"""What a curator's overview page shows: review queue, overdue checks, gaps, reports, doubles.

Each part is a fixed number of queries, scoped by the access policy (what `user` curates).
"""

from django.db import connection
from django.db.models import Case, Count, ExpressionWrapper, IntegerField, Prefetch, Q, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services import access, presentation
from services.models import ErrorReport, ProposedChange, Service

LIST_LENGTH = 20
DUPLICATE_SIMILARITY = 0.5

# What the seed asks of every listing (DOMAIN.md, "A service"): label, condition in the
# database, the same condition on a row annotated by with_completeness().
COMPLETENESS_CHECKS = [
    (_("samenvatting"), ~Q(summary=""), lambda s: s.summary),
    (_("wat het is"), ~Q(essence=""), lambda s: s.essence),
    (_("soort steun"), Q(n_support_types__gt=0), lambda s: s.n_support_types),
    (_("doelgroep"), Q(n_target_groups__gt=0), lambda s: s.n_target_groups),
    (_("link naar meer informatie"), ~Q(url=""), lambda s: s.url),
    (_("e-mailadres"), ~Q(email=""), lambda s: s.email),
    (_("telefoon"), ~Q(phone=""), lambda s: s.phone),
    (
        _("kosten uitgelegd"),
        Q(cost=Service.Cost.FREE) | Q(cost_amount__isnull=False) | ~Q(cost_text=""),
        lambda s: s.cost == Service.Cost.FREE or s.cost_amount is not None or s.cost_text,
    ),
]


def with_completeness(queryset):
    """Annotate `completeness`: the share (0-100) of the seed's required parts filled in."""
    queryset = queryset.annotate(
        n_support_types=Count("support_types", distinct=True),
        n_target_groups=Count("target_groups", distinct=True),
    )
    score = Value(0)
    for _label, condition, _check in COMPLETENESS_CHECKS:
        score = score + Case(When(condition, then=Value(1)), default=Value(0))
    return queryset.annotate(
        completeness=ExpressionWrapper(
            score * 100 / len(COMPLETENESS_CHECKS), output_field=IntegerField()
        )
    )


def missing_parts(service):
    """Labels of what a service annotated by with_completeness still lacks."""
    return [label for label, _condition, check in COMPLETENESS_CHECKS if not check(service)]


def possible_duplicates(services):
    """Pairs of services with similar names: trigram similarity on PostgreSQL, equal
    normalised names on SQLite. Returns [(service, service, similarity)]."""
    services = services.exclude(status=Service.Status.ARCHIVED)
    scope_sql, scope_params = services.values("pk").query.sql_with_params()
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT a.id, b.id, similarity(a.search_name, b.search_name) AS sim
            FROM services_service a
            JOIN services_service b ON a.id < b.id AND a.search_name %% b.search_name
            WHERE a.id IN ({scope_sql}) AND b.status <> 'archived'
              AND similarity(a.search_name, b.search_name) >= %s
            ORDER BY sim DESC, a.id LIMIT %s
        """
        params = [*scope_params, DUPLICATE_SIMILARITY, LIST_LENGTH]
    else:
        sql = f"""
            SELECT a.id, b.id, 1.0 AS sim
            FROM services_service a
            JOIN services_service b ON a.id < b.id AND a.search_name = b.search_name
            WHERE a.id IN ({scope_sql}) AND b.status <> 'archived'
            ORDER BY a.id LIMIT %s
        """
        params = [*scope_params, LIST_LENGTH]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pairs = cursor.fetchall()
    ids = {pk for a, b, _sim in pairs for pk in (a, b)}
    by_id = Service.objects.select_related("organisation").in_bulk(ids)
    return [(by_id[a], by_id[b], round(sim, 2)) for a, b, sim in pairs]


def to_verify(user, queryset=None):
    """The one meaning of "overdue" for a curator: services they may verify (in their scope,
    not archived) that nobody checked in time. The dashboard's count, its list link and the
    bulk action all use it, so the numbers add up."""
    queryset = Service.objects.all() if queryset is None else queryset
    return access.scope(user, "curate", queryset).exclude(status=Service.Status.ARCHIVED).overdue()


def overview(user):
    """Everything on the curator dashboard, for `user`'s scope."""
    own = access.scope(user, "curate", Service.objects.all())
    current = own.exclude(status=Service.Status.ARCHIVED)
    proposals = access.scope(user, "review", ProposedChange.objects.pending())
    reports = ErrorReport.objects.filter(service__in=own)
    incomplete = (
        with_completeness(current)
        .filter(completeness__lt=100)
        .order_by("completeness", "name")[:LIST_LENGTH]
    )
    incomplete = list(incomplete)
    for service in incomplete:
        service.missing = missing_parts(service)
    overdue = to_verify(user)
    # Published without a way to contact the provider: the page sends residents to our own
    # helpline until a curator fills in a phone number, e-mail address or link.
    pending = current.filter(contact_pending=True)
    return {
        "proposals": proposals.select_related("service", "proposed_by")[:LIST_LENGTH],
        "proposal_count": proposals.count(),
        "overdue": overdue.select_related("organisation").order_by("verified_at", "name")[
            :LIST_LENGTH
        ],
        "overdue_count": overdue.count(),
        "contact_pending": pending.order_by("name")[:LIST_LENGTH],
        "contact_pending_count": pending.count(),
        "incomplete": incomplete,
        "incomplete_count": with_completeness(current).filter(completeness__lt=100).count(),
        "reports": reports.select_related("service").order_by("state", "-created")[:LIST_LENGTH],
        "open_report_count": reports.filter(state=ErrorReport.State.OPEN).count(),
        "duplicates": possible_duplicates(own),
    }


def partner_overview(user):
    """A partner's start page: each of their services with its state in words, what is
    still missing and when it was last checked (a fixed number of queries)."""
    own = access.actor(user).organisations
    if not own:
        return []
    proposals = Prefetch(
        "proposed_changes",
        queryset=ProposedChange.objects.order_by("-created"),
        to_attr="recent_proposals",
    )
    services = (
        with_completeness(
            access.scope(user, "change", Service.objects.filter(organisation__in=own))
        )
        .select_related("organisation")
        .prefetch_related(proposals)
        .order_by("name")
    )
    rows = []
    for service in services:
        rows.append(
            {
                "service": service,
                "state": _state_in_words(service),
                "missing": missing_parts(service),
                "verified": presentation.verified_label(service),
            }
        )
    return rows


def _state_in_words(service):
    proposals = service.recent_proposals
    pending = next((p for p in proposals if p.state == ProposedChange.State.PENDING), None)
    if pending is not None:
        if pending.kind == ProposedChange.Kind.NEW:
            return {"label": gettext("Wacht op goedkeuring door de gemeente"), "tone": "wait"}
        return {
            "label": gettext("Gepubliceerd; uw wijziging wacht op goedkeuring"),
            "tone": "wait",
        }
    latest = proposals[0] if proposals else None
    if latest is not None and latest.state == ProposedChange.State.REJECTED:
        return {
            "label": gettext("Uw laatste voorstel is afgewezen"),
            "tone": "rejected",
            "reason": latest.reason,
        }
    labels = {
        Service.Status.PUBLISHED: gettext("Gepubliceerd: het publiek ziet deze dienst"),
        Service.Status.TEMPORARILY_CLOSED: gettext("Tijdelijk gesloten (het publiek ziet dit)"),
        Service.Status.IN_REVIEW: gettext("Wacht op goedkeuring door de gemeente"),
        Service.Status.DRAFT: gettext("Concept: nog niet ingestuurd"),
        Service.Status.ARCHIVED: gettext("Gearchiveerd: niet meer te zien"),
    }
    return {"label": labels[service.status], "tone": service.status}
