"""The HSDS 3.0 / Open Referral UK read API: plain JSON views over services.hsds.

Every view answers GET and HEAD with JSON, never a 500 for bad input: a bad parameter is a
400 with a reason, an unknown id a 404, too many requests from one address a 429. Responses
carry ETag, Last-Modified and Cache-Control so aggregators and CDNs can poll cheaply; CORS
(`Access-Control-Allow-Origin: *`) is added by django-cors-headers for the API's prefix.
"""

import functools
import hashlib
import json
import time

from django.conf import settings
from django.core.cache import caches
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from services import hsds

from . import openapi, params, query

JSON = "application/json"
NDJSON = "application/x-ndjson"


class NotFound(Exception):
    pass


def dumps(payload):
    return json.dumps(payload, ensure_ascii=False, cls=DjangoJSONEncoder)


def error(status, code, message, **extra):
    body = dumps({"error": code, "message": message, **extra})
    response = HttpResponse(body, status=status, content_type=JSON)
    patch_cache_control(response, no_store=True)
    return response


def client_key(request):
    """The throttle's key: a hash of the client address, kept in the cache only."""
    address = request.META.get("REMOTE_ADDR", "")
    return "hsds-api-rate:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def within_rate(request):
    """(allowed, seconds until the window ends): a fixed window per address, in the cache."""
    requests, seconds = settings.HSDS_API_RATE
    window = int(time.time() // seconds)
    cache = caches[settings.HSDS_API_CACHE]
    key = f"{client_key(request)}:{window}"
    cache.add(key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=seconds + 1)
        count = 1
    return count <= requests, seconds - int(time.time()) % seconds


def api_view(func):
    """GET/HEAD only, throttled, errors as JSON; the view returns (payload, last_modified)
    or a finished response (streams)."""

    @functools.wraps(func)
    def view(request, *args, **kwargs):
        response = answer(request, *args, **kwargs)
        # On every answer, not only to requests with an Origin (ORUK compliance 1.1);
        # django-cors-headers adds it to preflights and to errors outside these views.
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def answer(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = error(405, "method_not_allowed", "Alleen GET en HEAD.")
            response["Allow"] = "GET, HEAD"
            return response
        allowed, retry = within_rate(request)
        if not allowed:
            response = error(429, "too_many_requests", "Te veel verzoeken; probeer het later.")
            response["Retry-After"] = str(retry)
            return response
        try:
            result = func(request, *args, **kwargs)
        except params.BadParameter as bad:
            return error(400, "bad_parameter", bad.message, parameter=bad.name)
        except NotFound:
            return error(404, "not_found", "Niet gevonden.")
        if isinstance(result, HttpResponse | StreamingHttpResponse):
            if "Cache-Control" in result:
                patch_cache_control(result, max_age=max_age(request))
            return result
        payload, last_modified = result
        body = dumps(payload).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        stamp = last_modified.timestamp() if last_modified else None
        response = get_conditional_response(request, etag=etag, last_modified=stamp)
        if response is None:
            response = HttpResponse(body, content_type=JSON)
        response["ETag"] = etag
        if stamp is not None:
            response["Last-Modified"] = http_date(stamp)
        patch_cache_control(response, public=True, max_age=max_age(request))
        return response

    # Read-only: other methods get a JSON 405, not the CSRF check's HTML 403.
    return csrf_exempt(view)


def absolute(request, name, **kwargs):
    return request.build_absolute_uri(reverse(f"hsds_api:{name}", kwargs=kwargs))


def max_age(request):
    """Seconds a response may be kept: HSDS_API_MAX_AGE, but an answer to `when` (it
    depends on the clock) only until the next minute."""
    if "when" in request.GET:
        return min(settings.HSDS_API_MAX_AGE, 60 - timezone.now().second)
    return settings.HSDS_API_MAX_AGE


def stream(documents, last_modified):
    """All results as newline-delimited JSON, without pagination."""
    response = StreamingHttpResponse(
        (dumps(document) + "\n" for document in documents), content_type=NDJSON
    )
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    patch_cache_control(response, public=True, max_age=settings.HSDS_API_MAX_AGE)
    return response


def listing(values, items_or_queryset, render, modified=None):
    """A Page envelope (or an ndjson stream) of items rendered by render(); modified(item):
    when an item last changed, for Last-Modified (the latest on the page, or in the stream)."""
    if values.get("format") == "ndjson":
        if isinstance(items_or_queryset, list):
            return stream((render(item) for item in items_or_queryset), None)
        latest = hsds.modified_across(items_or_queryset) if modified else None
        return stream((render(item) for item in items_or_queryset.iterator(chunk_size=500)), latest)
    items, envelope = query.page_of(items_or_queryset, values)
    latest = max((modified(item) for item in items), default=None) if modified else None
    return {**envelope, "contents": [render(item) for item in items]}, latest


@api_view
def index(request):
    return {
        "version": hsds.VERSION,
        "profile": absolute(request, "profile"),
        "openapi_url": absolute(request, "openapi"),
    }, None


@api_view
def openapi_document(request):
    return openapi.document(request.build_absolute_uri(reverse("hsds_api:index"))), None


@api_view
def profile(request):
    return openapi.profile(), None


@api_view
def services(request):
    values = params.read(request.GET, query.SERVICE_PARAMS)
    matched = query.services(values)
    if values.get("minimal"):
        return listing(values, matched, hsds.minimal_object, hsds.last_modified)
    if values.get("full"):
        return listing(values, hsds.with_document(matched), hsds.service_object, hsds.last_modified)
    return listing(
        values,
        matched.select_related("organisation", "verified_by"),
        hsds.service_fields,
        hsds.last_modified,
    )


def _one_service(service_id):
    try:
        service_id = params.identifier("id", service_id)
    except params.BadParameter:
        raise NotFound from None
    service = hsds.with_document(hsds.feed_queryset()).filter(uuid=service_id).first()
    if service is None:
        raise NotFound
    return service


@api_view
def service_detail(request, service_id):
    service = _one_service(service_id)
    return hsds.service_object(service), hsds.last_modified(service)


@api_view
def taxonomies(request):
    values = params.read(request.GET, query.LIST_PARAMS)
    found = [hsds.taxonomy_object(t) for t in hsds.TAXONOMIES]
    if values.get("search"):
        needle = values["search"].lower()
        found = [t for t in found if needle in t["name"].lower()]
    return listing(values, found, lambda item: item)


@api_view
def taxonomy_detail(request, taxonomy_id):
    for taxonomy in hsds.TAXONOMIES:
        if taxonomy.id == taxonomy_id:
            return hsds.taxonomy_object(taxonomy), None
    raise NotFound


@api_view
def taxonomy_terms(request):
    values = params.read(request.GET, query.TERM_PARAMS)
    return listing(values, query.terms(values), lambda item: item)


@api_view
def taxonomy_term_detail(request, term_id):
    for term in hsds.term_objects():
        if term["id"] == term_id:
            return term, None
    raise NotFound


@api_view
def organizations(request):
    values = params.read(request.GET, query.ORGANISATION_PARAMS)
    nested = bool(values.get("full"))
    return listing(
        values,
        query.organisations(values),
        functools.partial(hsds.organization_object, nested=nested),
    )


@api_view
def organization_detail(request, organization_id):
    try:
        organization_id = params.identifier("id", organization_id)
    except params.BadParameter:
        raise NotFound from None
    organisation = query.organisation(organization_id)
    if organisation is None:
        raise NotFound
    return hsds.organization_object(organisation), None


@api_view
def service_at_locations(request):
    values = params.read(request.GET, query.LOCATION_PARAMS)
    return listing(
        values,
        query.service_at_locations(values),
        lambda location: hsds.service_at_location_object(location.service, location),
    )


@api_view
def not_found(request):
    raise NotFound
