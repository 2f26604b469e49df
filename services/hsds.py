"""Open Referral HSDS 3.0 export of a service: the mapping our model is built to fill.

Every field of Service, Location and OpeningPeriod that holds data lands somewhere in the
HSDS `service` object: core fields one-to-one, characteristics and classifications as
`attributes` with our own taxonomy ids, costs as `cost_options`. `python manage.py
export_hsds` writes all published services as a JSON list.
"""

import uuid

from .models import Service

NAMESPACE = uuid.UUID("6f1c2a0e-5a6b-4cfb-9d1e-3a9d8b1f4c21")
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
STATUS = {
    Service.Status.PUBLISHED: "active",
    Service.Status.TEMPORARILY_CLOSED: "temporarily closed",
    Service.Status.ARCHIVED: "defunct",
    Service.Status.DRAFT: "inactive",
    Service.Status.IN_REVIEW: "inactive",
}
CHARACTERISTICS = ["format", "frequency", "provided_by", "cost", "scope"]
FLAGS = ["at_home", "out_of_home", "online", "by_phone", "referral_required", "low_income_only"]


def hsds_id(kind, pk):
    """A stable UUID for one of our rows (HSDS 3 ids are UUIDs)."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{pk}"))


def _term(taxonomy, code, name, description=""):
    return {
        "id": hsds_id(f"term-{taxonomy}", code),
        "taxonomy_term_id": hsds_id(f"term-{taxonomy}", code),
        "value": code,
        "taxonomy_term": {
            "id": hsds_id(f"term-{taxonomy}", code),
            "code": code,
            "name": str(name),
            "description": str(description),
            "taxonomy": f"sociale-kaart:{taxonomy}",
        },
    }


def attributes(service):
    terms = []
    for relation, taxonomy in (
        ("support_types", "support_type"),
        ("target_groups", "target_group"),
        ("themes", "theme"),
    ):
        for term in getattr(service, relation).all():
            terms.append(_term(taxonomy, term.slug, term.name, term.description))
    for field in CHARACTERISTICS:
        value = getattr(service, field)
        terms.append(_term(field, value, getattr(service, f"get_{field}_display")()))
    if service.cost_unit:
        terms.append(_term("cost_unit", service.cost_unit, service.get_cost_unit_display()))
    for field in FLAGS:
        if getattr(service, field):
            terms.append(_term("flag", field, Service._meta.get_field(field).verbose_name))
    return terms


def eligibility(service):
    parts = []
    if service.referral_required:
        parts.append("Verwijzing of indicatie nodig.")
    if service.low_income_only:
        parts.append("Alleen bij een laag inkomen.")
    if service.conditions:
        parts.append(service.conditions)
    return " ".join(parts)


def location_object(location):
    return {
        "id": hsds_id("location", location.pk),
        "location_type": "physical",
        "name": location.name,
        "latitude": float(location.latitude) if location.latitude is not None else None,
        "longitude": float(location.longitude) if location.longitude is not None else None,
        "addresses": [
            {
                "id": hsds_id("address", location.pk),
                "address_1": location.address,
                "postal_code": location.postcode,
                "city": location.place,
                "region": location.municipality.name if location.municipality else "",
                "country": "NL",
                "address_type": "physical",
            }
        ],
        "accessibility": [
            {
                "id": hsds_id("accessibility", location.pk),
                "description": location.accessibility,
                "details": "wheelchair accessible" if location.wheelchair_accessible else "",
            }
        ],
        "schedules": [
            {
                "id": hsds_id("schedule", period.pk),
                "freq": "WEEKLY",
                "byday": WEEKDAYS[period.weekday - 1],
                "opens_at": period.opens.strftime("%H:%M"),
                "closes_at": period.closes.strftime("%H:%M"),
                "notes": location.hours_note,
            }
            for period in location.opening_periods.all()
        ],
    }


def service_object(service):
    """The HSDS 3 `service` object (with nested arrays) for one service."""
    data = {
        "id": hsds_id("service", service.pk),
        "organization": {
            "id": hsds_id("organization", service.organisation_id),
            "name": service.organisation.name,
            "description": service.organisation.description,
            "website": service.organisation.website,
            "email": service.organisation.email,
            "phones": [{"number": service.organisation.phone}]
            if service.organisation.phone
            else [],
        },
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.essence,
        "summary": service.summary,
        "url": service.url,
        "email": service.email,
        "status": STATUS[service.status],
        "application_process": service.how_to_apply,
        "fees_description": service.cost_text or service.get_cost_display(),
        "wait_time": service.wait_time,
        "eligibility_description": eligibility(service),
        "minimum_age": service.min_age,
        "maximum_age": service.max_age,
        "assured_date": service.verified_at.date().isoformat() if service.verified_at else None,
        "assurer_email": service.verified_by.email if service.verified_by else None,
        "alert": service.alert,
        "last_modified": service.modified.isoformat(),
        "phones": [{"id": hsds_id("phone", service.pk), "number": service.phone}]
        if service.phone
        else [],
        "languages": [
            {"id": hsds_id("language", language.pk), "name": language.name, "code": language.code}
            for language in service.languages.all()
        ],
        "cost_options": [
            {
                "id": hsds_id("cost", service.pk),
                "option": service.get_cost_display(),
                "currency": "EUR",
                "amount": float(service.cost_amount) if service.cost_amount is not None else None,
                "amount_description": service.get_cost_unit_display() if service.cost_unit else "",
            }
        ],
        "service_areas": (
            [{"id": hsds_id("area", "NL"), "name": "Nederland", "extent_type": "country"}]
            if service.scope == Service.Scope.NATIONAL
            else [
                {"id": hsds_id("area", m.pk), "name": m.name, "extent": m.cbs_code}
                for m in service.municipalities.all()
            ]
        ),
        "service_at_locations": [
            {
                "id": hsds_id("service_at_location", location.pk),
                "location": location_object(location),
            }
            for location in service.locations.all()
        ],
        "attributes": attributes(service),
        "metadata": [
            {
                "resource_type": "service",
                "field_name": "created",
                "new_value": service.created.isoformat(),
            }
        ],
    }
    return data


def export_queryset():
    """Services with everything the export reads, in a fixed number of queries."""
    return (
        Service.objects.with_related()
        .select_related("verified_by")
        .prefetch_related("locations__opening_periods", "locations__municipality")
    )
