"""Keep cached catalogue data honest: a change bumps the versions of exactly what it touches
(services/versions.py): the municipalities a service is offered in, before and after the
change, national services when it is or was national, the terms when a term or municipality
changes. Bulk writes that bypass signals (QuerySet.update, bulk_create) call versions.bump_*.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal
from django.utils import timezone

from . import versions
from .models import (
    Language,
    Location,
    Municipality,
    OpeningPeriod,
    Organisation,
    Service,
    SupportType,
    Synonym,
    TargetGroup,
    Theme,
)

# Every cached page shows or searches with these: a change invalidates all of them.
TERMS = [TargetGroup, SupportType, Theme, Language, Municipality, Synonym]
SERVICE_M2M = ["support_types", "target_groups", "themes", "municipalities", "languages"]

# A resident's search in the catalogue found nothing. Sent with request, response, query and
# municipality; the phone desk counts it for the gap report (services knows nothing of that).
search_without_results = Signal()


def service_pre_save(sender, instance, raw=False, **kwargs):
    # Where the service was shown before this save (its municipalities cannot change in a
    # save: the admin sets them afterwards, which m2m_changed sees).
    instance._catalogue_places = (
        versions.places_of([instance.pk]) if instance.pk and not raw else (set(), False)
    )


def service_post_save(sender, instance, **kwargs):
    municipality_ids, was_national = getattr(instance, "_catalogue_places", (set(), False))
    versions.bump(
        municipality_ids, national=was_national or instance.scope == Service.Scope.NATIONAL
    )
    # Where it is shown now, for the many-to-many changes that usually follow (no query).
    instance._catalogue_places = (set(municipality_ids), instance.scope == Service.Scope.NATIONAL)


def service_pre_delete(sender, instance, **kwargs):
    instance._catalogue_places = versions.places_of([instance.pk])


def service_post_delete(sender, instance, **kwargs):
    municipality_ids, national = getattr(instance, "_catalogue_places", (set(), True))
    versions.bump(municipality_ids, national=national)


def service_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse:
        # term.services.add(...) or municipality.services.remove(...): pk_set holds services.
        if action == "pre_clear":
            instance._catalogue_services = list(
                sender.objects.filter(**{_column(sender, instance): instance.pk}).values_list(
                    "service_id", flat=True
                )
            )
        elif action in {"post_add", "post_remove", "post_clear"}:
            ids = pk_set if action != "post_clear" else getattr(instance, "_catalogue_services", [])
            versions.bump_services(ids)
            if isinstance(instance, Municipality):
                versions.bump([instance.pk])
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    # Where the service is shown, known from its save in this process, else asked once.
    places = getattr(instance, "_catalogue_places", None) or versions.places_of([instance.pk])
    municipality_ids, national = set(places[0]), places[1]
    national = national or instance.scope == Service.Scope.NATIONAL
    if sender is Service.municipalities.through:
        changed = set(pk_set or ()) if action != "post_clear" else set(municipality_ids)
        versions.bump(municipality_ids | changed, national=national)
        if action == "post_add":
            municipality_ids |= changed
        else:
            municipality_ids -= changed
        instance._catalogue_places = (municipality_ids, national)
    else:
        versions.bump(municipality_ids, national=national)


def _column(through, instance):
    """The through table's column pointing at this (non-service) instance."""
    return f"{instance._meta.model_name}_id"


def organisation_changed(sender, instance, **kwargs):
    # Cards show the organisation's name: every service of it is touched (two queries).
    if instance.pk:
        versions.bump_services(instance.services.values_list("pk", flat=True))


def terms_changed(sender, **kwargs):
    versions.bump(terms=True)


# A service's `modified` is its HSDS `last_modified`: it moves when anything its open-data
# document shows changes, also in rows of other tables (issue 11).
DOCUMENT_TERMS = {TargetGroup: "target_groups", SupportType: "support_types", Theme: "themes",
                  Language: "languages", Municipality: "municipalities"}  # fmt: skip


def touch(services):
    """Mark services (a queryset) as changed now, without running their save()."""
    services.update(modified=timezone.now())


def touch_for_location(sender, instance, **kwargs):
    touch(Service.objects.filter(pk=instance.service_id))
    # The catalogue counts a location's hours (Wanneer): what shows the service is new.
    versions.bump_services([instance.service_id])


def touch_for_period(sender, instance, **kwargs):
    services = Service.objects.filter(locations=instance.location_id)
    touch(services)
    versions.bump_services(services.values_list("pk", flat=True))


def touch_for_organisation(sender, instance, **kwargs):
    touch(Service.objects.filter(organisation=instance.pk))


def touch_for_term(sender, instance, **kwargs):
    touch(Service.objects.filter(**{DOCUMENT_TERMS[sender]: instance.pk}))
    if sender is Municipality:  # addresses name their municipality as region
        touch(Service.objects.filter(locations__municipality=instance.pk))


def touch_m2m(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if not reverse:
        touch(Service.objects.filter(pk=instance.pk))
    elif action == "pre_clear":
        relation = next(
            name for model, name in DOCUMENT_TERMS.items() if isinstance(instance, model)
        )
        touch(Service.objects.filter(**{relation: instance.pk}))
    else:
        touch(Service.objects.filter(pk__in=pk_set or []))


def connect_document_changes():
    for model, uid in ((Location, "location"), (OpeningPeriod, "period")):
        handler = touch_for_location if model is Location else touch_for_period
        post_save.connect(handler, sender=model, dispatch_uid=f"hsds-save-{uid}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"hsds-delete-{uid}")
    post_save.connect(touch_for_organisation, sender=Organisation, dispatch_uid="hsds-org")
    for model in DOCUMENT_TERMS:
        post_save.connect(touch_for_term, sender=model, dispatch_uid=f"hsds-save-{model.__name__}")
        # Before the delete: afterwards the links to the services are gone.
        pre_delete.connect(
            touch_for_term, sender=model, dispatch_uid=f"hsds-delete-{model.__name__}"
        )
    for name in SERVICE_M2M:
        through = getattr(Service, name).through
        m2m_changed.connect(touch_m2m, sender=through, dispatch_uid=f"hsds-m2m-{name}")


def connect():
    uid = "catalogue-version"
    pre_save.connect(service_pre_save, sender=Service, dispatch_uid=f"{uid}-pre-save")
    post_save.connect(service_post_save, sender=Service, dispatch_uid=f"{uid}-save")
    pre_delete.connect(service_pre_delete, sender=Service, dispatch_uid=f"{uid}-pre-delete")
    post_delete.connect(service_post_delete, sender=Service, dispatch_uid=f"{uid}-delete")
    post_save.connect(organisation_changed, sender=Organisation, dispatch_uid=f"{uid}-org")
    pre_delete.connect(organisation_changed, sender=Organisation, dispatch_uid=f"{uid}-org-del")
    for model in TERMS:
        name = model.__name__
        post_save.connect(terms_changed, sender=model, dispatch_uid=f"{uid}-save-{name}")
        post_delete.connect(terms_changed, sender=model, dispatch_uid=f"{uid}-delete-{name}")
    for name in SERVICE_M2M:
        through = getattr(Service, name).through
        m2m_changed.connect(service_m2m_changed, sender=through, dispatch_uid=f"{uid}-m2m-{name}")
    connect_document_changes()
