"""Keep cached catalogue data honest: any change to what the catalogue shows bumps its version."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from .models import (
    CatalogueState,
    Language,
    Location,
    Municipality,
    OpeningPeriod,
    Organisation,
    Service,
    SupportType,
    TargetGroup,
    Theme,
)

WATCHED = [Service, Organisation, TargetGroup, SupportType, Theme, Language, Municipality]
WATCHED_M2M = ["support_types", "target_groups", "themes", "municipalities", "languages"]


def bump(sender, **kwargs):
    CatalogueState.bump()


def bump_m2m(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        CatalogueState.bump()


# A service's `modified` is its HSDS `last_modified`: it moves when anything its open-data
# document shows changes, also in rows of other tables (issue 11).
TERMS = {TargetGroup: "target_groups", SupportType: "support_types", Theme: "themes",
         Language: "languages", Municipality: "municipalities"}  # fmt: skip


def touch(services):
    """Mark services (a queryset) as changed now, without running their save()."""
    services.update(modified=timezone.now())


def touch_for_location(sender, instance, **kwargs):
    touch(Service.objects.filter(pk=instance.service_id))


def touch_for_period(sender, instance, **kwargs):
    touch(Service.objects.filter(locations=instance.location_id))


def touch_for_organisation(sender, instance, **kwargs):
    touch(Service.objects.filter(organisation=instance.pk))


def touch_for_term(sender, instance, **kwargs):
    touch(Service.objects.filter(**{TERMS[sender]: instance.pk}))
    if sender is Municipality:  # addresses name their municipality as region
        touch(Service.objects.filter(locations__municipality=instance.pk))


def touch_m2m(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if not reverse:
        touch(Service.objects.filter(pk=instance.pk))
    elif action == "pre_clear":
        relation = next(name for model, name in TERMS.items() if isinstance(instance, model))
        touch(Service.objects.filter(**{relation: instance.pk}))
    else:
        touch(Service.objects.filter(pk__in=pk_set or []))


def connect_document_changes():
    for model, uid in ((Location, "location"), (OpeningPeriod, "period")):
        handler = touch_for_location if model is Location else touch_for_period
        post_save.connect(handler, sender=model, dispatch_uid=f"hsds-save-{uid}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"hsds-delete-{uid}")
    post_save.connect(touch_for_organisation, sender=Organisation, dispatch_uid="hsds-org")
    for model in TERMS:
        post_save.connect(touch_for_term, sender=model, dispatch_uid=f"hsds-save-{model.__name__}")
        # Before the delete: afterwards the links to the services are gone.
        pre_delete.connect(
            touch_for_term, sender=model, dispatch_uid=f"hsds-delete-{model.__name__}"
        )
    for name in WATCHED_M2M:
        through = getattr(Service, name).through
        m2m_changed.connect(touch_m2m, sender=through, dispatch_uid=f"hsds-m2m-{name}")


def connect():
    for model in WATCHED:
        post_save.connect(bump, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"catalogue-delete-{model.__name__}")
    for name in WATCHED_M2M:
        through = getattr(Service, name).through
        m2m_changed.connect(bump_m2m, sender=through, dispatch_uid=f"catalogue-m2m-{name}")
    connect_document_changes()
