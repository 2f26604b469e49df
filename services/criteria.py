"""What a filter means, written once: the catalogue's facets, the phone desk's toggles and
the API's parameters all build their conditions here.

Each function returns a Q over Service. Values inside one facet combine with OR, facets
with AND (the caller's job). Unknown values never reach these functions: the FilterSet,
the desk's form and the API validate first.
"""

from django.db.models import Case, IntegerField, Q, Value, When

from .models import Service

# The audience "Iedereen" (everyone): a service for everyone fits every audience chosen.
EVERYONE = "iedereen"

FORMAT = {
    "individual": [Service.Format.INDIVIDUAL, Service.Format.BOTH],
    "group": [Service.Format.GROUP, Service.Format.BOTH],
}
PROVIDED_BY = {
    "volunteers": [Service.ProvidedBy.VOLUNTEERS, Service.ProvidedBy.BOTH],
    "professionals": [Service.ProvidedBy.PROFESSIONALS, Service.ProvidedBy.BOTH],
}
SETTINGS = ["at_home", "out_of_home", "online", "by_phone"]


def taxonomy_q(relation, slugs):
    """Services linked to any of these terms of a taxonomy (support types, themes, ...)."""
    through = getattr(Service, relation).through
    model_name = getattr(Service, relation).field.related_model._meta.model_name
    ids = through.objects.filter(**{f"{model_name}__slug__in": list(slugs)})
    return Q(pk__in=ids.values("service_id"))


def audience_q(slugs):
    """Services for any of these target groups; services for everyone always count."""
    slugs = list(slugs)
    if slugs and EVERYONE not in slugs:
        slugs.append(EVERYONE)
    return taxonomy_q("target_groups", slugs)


def format_q(values):
    return Q(format__in=sorted({item for value in values for item in FORMAT[value]}))


def provided_by_q(values):
    return Q(provided_by__in=sorted({item for value in values for item in PROVIDED_BY[value]}))


def choice_q(field_name):
    """A facet whose values are the field's own choices (costs, frequency, scope)."""

    def facet_q(values):
        return Q(**{f"{field_name}__in": sorted(values)})

    return facet_q


cost_q = choice_q("cost")
frequency_q = choice_q("frequency")
scope_q = choice_q("scope")


def settings_q(values):
    """Where it happens: at home, out of home, online, by phone (any of them)."""
    condition = Q()
    for value in values:
        condition |= Q(**{value: True})
    return condition


def no_referral_q(values=None):
    return Q(referral_required=False)


def age_q(age):
    """Services whose age range includes this age (no limits: every age)."""
    if age is None:
        return Q()
    return (Q(min_age__isnull=True) | Q(min_age__lte=age)) & (
        Q(max_age__isnull=True) | Q(max_age__gte=age)
    )


def age_misfit_q(age):
    """Services whose age range excludes this age (the opposite of age_q, for ranking)."""
    return Q(min_age__gt=age) | Q(max_age__lt=age)


def fits_age(service, age):
    """The same rule as age_q, for one service already in memory."""
    if age is None:
        return True
    if service.min_age is not None and age < service.min_age:
        return False
    return not (service.max_age is not None and age > service.max_age)


def closed_last():
    """An ordering value: 0 for open services, 1 for temporarily closed ones (listed after)."""
    return Case(
        When(status=Service.Status.TEMPORARILY_CLOSED, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
