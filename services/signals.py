"""Keep cached catalogue data honest: any change to what the catalogue shows bumps its version."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from .models import (
    CatalogueState,
    Language,
    Municipality,
    Organisation,
    Service,
    SupportType,
    TargetGroup,
    Theme,
)

# A resident's search in the catalogue found nothing. Sent with request, response, query and
# municipality; the phone desk counts it for the gap report (services knows nothing of that).
search_without_results = Signal()

WATCHED = [Service, Organisation, TargetGroup, SupportType, Theme, Language, Municipality]
WATCHED_M2M = ["support_types", "target_groups", "themes", "municipalities", "languages"]


def bump(sender, **kwargs):
    CatalogueState.bump()


def bump_m2m(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        CatalogueState.bump()


def connect():
    for model in WATCHED:
        post_save.connect(bump, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"catalogue-delete-{model.__name__}")
    for name in WATCHED_M2M:
        through = getattr(Service, name).through
        m2m_changed.connect(bump_m2m, sender=through, dispatch_uid=f"catalogue-m2m-{name}")
