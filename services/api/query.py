"""What the API's query parameters mean, in terms of the catalogue's own criteria.

The API never defines a filter of its own: taxonomy terms, characteristics, ages and search
are the catalogue's facets, age filter and search; what a feed publishes is
`hsds.feed_queryset()`. Parameters are cumulative (AND), as HSDS requires.
"""

import math
from functools import partial

from django.db.models import Q

from services import criteria, hsds
from services.models import Location, OpeningPeriod
from services.search import Search, is_postgres

from . import params

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_PAGE = 100_000

PAGING = {
    "page": partial(params.integer, minimum=1, maximum=MAX_PAGE),
    "per_page": partial(params.integer, minimum=1, maximum=MAX_PER_PAGE),
}
SERVICE_FILTERS = {
    "search": params.search,
    "taxonomy_term_id": params.identifier,
    "taxonomy_id": params.identifier,
    "organization_id": params.identifier,
    "modified_after": params.moment,
    "minimum_age": params.number,
    "maximum_age": params.number,
    "day": params.weekday,
    "start_time": params.clock,
    "end_time": params.clock,
    # Our own extension (documented in the OpenAPI document): the catalogue's "Wanneer".
    "when": partial(params.choice, choices=("today", "this_week", "open_now")),
}
WHEN = {"today": criteria.TODAY, "this_week": criteria.THIS_WEEK, "open_now": criteria.OPEN_NOW}
SERVICE_PARAMS = {
    **PAGING,
    **SERVICE_FILTERS,
    "minimal": params.boolean,
    "full": params.boolean,
    "format": partial(params.choice, choices=("json", "ndjson")),
}
TERM_PARAMS = {
    **PAGING,
    "search": params.search,
    "taxonomy_id": params.identifier,
    "top_only": params.boolean,
    "parent_id": params.identifier,
    "format": partial(params.choice, choices=("json", "ndjson")),
}
LIST_PARAMS = {
    **PAGING,
    "search": params.search,
    "format": partial(params.choice, choices=("json", "ndjson")),
}
ORGANISATION_PARAMS = {**LIST_PARAMS, "full": params.boolean}
LOCATION_PARAMS = {**LIST_PARAMS, **SERVICE_FILTERS, "full": params.boolean}


def stored_term(term_id):
    """(taxonomy, term row) for the stored term with this UUID, or (None, None)."""
    for taxonomy in hsds.TAXONOMIES:
        if taxonomy.model is not None:
            term = taxonomy.model.objects.filter(uuid=term_id).first()
            if term is not None:
                return taxonomy, term
    return None, None


def term_q(term_id):
    """Services classified with this term, as the catalogue's facet means it (None: no term)."""
    for characteristic in hsds.CHARACTERISTICS:
        if hsds.characteristic_object(characteristic)["id"] == term_id:
            return characteristic.q()
    taxonomy, term = stored_term(term_id)
    if term is None:
        return None
    if taxonomy.key == "target_group":
        return criteria.audience_q([term.slug])  # "Iedereen" fits every audience
    return criteria.taxonomy_q(taxonomy.relation, [term.slug])


def taxonomy_q(taxonomy_id):
    """Services with any term of this taxonomy (None: no such taxonomy)."""
    taxonomy = next((t for t in hsds.TAXONOMIES if t.id == taxonomy_id), None)
    if taxonomy is None:
        return None
    if taxonomy.model is None:
        return Q()  # every service has characteristics
    through = getattr(hsds.Service, taxonomy.relation).through
    return Q(pk__in=through.objects.values("service_id"))


def hours_q(day=None, start=None, end=None):
    """Services with an opening period on day, opening at or after start, closing by end."""
    periods = OpeningPeriod.objects.all()
    if day is not None:
        periods = periods.filter(weekday=day)
    if start is not None:
        periods = periods.filter(opens__gte=start)
    if end is not None:
        periods = periods.filter(closes__lte=end)
    return Q(pk__in=periods.values("location__service_id"))


def services(values):
    """The feed's services matching every given parameter, in a stable order."""
    queryset = hsds.feed_queryset()
    if "taxonomy_term_id" in values:
        condition = term_q(values["taxonomy_term_id"])
        queryset = queryset.none() if condition is None else queryset.filter(condition)
    if "taxonomy_id" in values:
        condition = taxonomy_q(values["taxonomy_id"])
        queryset = queryset.none() if condition is None else queryset.filter(condition)
    if "organization_id" in values:
        queryset = queryset.filter(organisation__uuid=values["organization_id"])
    if "modified_after" in values:
        queryset = queryset.filter(modified__gte=values["modified_after"])
    # ORUK's ages are read as the ages of the people sought: the service must be open to
    # each given age, by the catalogue's own age rule.
    for name in ("minimum_age", "maximum_age"):
        if name in values:
            queryset = queryset.filter(criteria.age_q(math.floor(values[name])))
    if any(name in values for name in ("day", "start_time", "end_time")):
        queryset = queryset.filter(
            hours_q(values.get("day"), values.get("start_time"), values.get("end_time"))
        )
    if "when" in values:
        queryset = queryset.filter(criteria.when_q([WHEN[values["when"]]]))
    if values.get("search"):
        search = Search(values["search"], postgres=is_postgres(queryset))
        if search:
            queryset = search.match(queryset)
    # In the order services were added: stable while a reader pages, and read from the
    # primary key index (ordering 10,000 rows by name first cost about 40 ms).
    return queryset.order_by("pk")


def organisations(values):
    queryset = hsds.organisations_queryset()
    if values.get("search"):
        queryset = queryset.filter(name__icontains=values["search"])
    return queryset


def page_of(queryset_or_list, values):
    """(items on the page, Page envelope without contents)."""
    page = values.get("page", 1)
    per_page = values.get("per_page", DEFAULT_PER_PAGE)
    if isinstance(queryset_or_list, list):
        total = len(queryset_or_list)
    else:
        total = queryset_or_list.count()
    start = (page - 1) * per_page
    items = list(queryset_or_list[start : start + per_page]) if start < total else []
    total_pages = math.ceil(total / per_page)
    envelope = {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(items),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": total == 0,
    }
    return items, envelope


def organisation(organisation_id):
    return hsds.organisations_queryset().filter(uuid=organisation_id).first()


def service_at_locations(values):
    """Locations of the feed's services that match the service parameters."""
    matching = services({k: v for k, v in values.items() if k in SERVICE_FILTERS})
    return (
        hsds.with_locations(Location.objects.filter(service__in=matching.values("pk")))
        .select_related("service")
        .order_by("service_id", "pk")
    )


def terms(values):
    """Term objects of every taxonomy (or one), in the taxonomies' order."""
    found = hsds.term_objects(values.get("taxonomy_id"))
    if "parent_id" in values:
        return []  # our taxonomies are flat
    if values.get("search"):
        needle = values["search"].lower()
        found = [t for t in found if needle in t["name"].lower() or needle in t["code"]]
    return found
