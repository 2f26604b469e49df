"""Whole public pages from the shared cache, with each visitor's own bits filled in after it.

A view opts in with `versions.cache_page_under(request, scopes, values)`: the catalogue
versions (services/versions.py) it read *before* it read the data it shows. The middleware then keeps
the finished page in the shared cache (Redis, else the database cache) and answers the same
request from there while those versions are current:

- Only anonymous GET/HEAD without a session or messages cookie are served or kept: staff,
  logged-in people and anyone with a flash message always get a freshly made page.
- The key is the scheme, host, path, the query string sorted, every cookie except the CSRF
  cookie (so the municipality, the shortlist, the compare list, the language and any cookie
  a later feature adds each make their own page), and the htmx request headers. One visitor's
  list can therefore never be shown to another.
- A page is not kept when the response sets a cookie, queues a message, is not a 200 HTML
  page, or its view did not opt in (zero-result searches are not kept: the phone desk's gap
  report counts them, see services.signals.search_without_results).
- "Donut": the CSRF token and the CSP nonce are replaced by placeholders before the page is
  stored and filled in per request (a fresh masked token for this visitor's CSRF secret, a
  fresh nonce that the CSP middleware then puts in the header).
- Each entry holds the versions it was made under; a hit reads the current ones (one more
  round trip) and is refused when any moved. PAGE_CACHE_SECONDS (60) bounds what versions
  cannot see: the "next session" line, which depends on the clock.

PAGE_CACHE_SECONDS = 0 turns it off.
"""

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import CSRF_TOKEN_LENGTH, _unmask_cipher_token, get_token

from services import versions

PREFIX = "page:"
CSRF_SLOT = "\x00csrf\x00"
NONCE_SLOT = "\x00nonce\x00"
TOKEN_RE = re.compile(rf"(?<![A-Za-z0-9])[A-Za-z0-9]{{{CSRF_TOKEN_LENGTH}}}(?![A-Za-z0-9])")
# Headers an inner layer (the view, htmx) set; the outer middleware adds its own again.
KEPT_HEADERS = ("Content-Type", "Vary", "HX-Push-Url", "Cache-Control", "Content-Language")


def _seconds():
    return getattr(settings, "PAGE_CACHE_SECONDS", 60)


def request_key(request):
    """The cache key of this request's page, or None when it must not be cached."""
    if request.method not in ("GET", "HEAD"):
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return None
    kept = sorted(
        (name, value) for name, value in cookies.items() if name != settings.CSRF_COOKIE_NAME
    )
    htmx = sorted((k, v) for k, v in request.META.items() if k.startswith("HTTP_HX_"))
    query = sorted(request.GET.lists())
    raw = repr(
        (request.scheme, request.get_host(), request.path, query, kept, htmx, request.method)
    )
    return PREFIX + hashlib.sha256(raw.encode()).hexdigest()


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _seconds():
            return self.get_response(request)
        key = request_key(request)
        if key is None:
            return self.get_response(request)
        entry = cache.get(key)
        if entry is not None and versions.current(entry["scopes"]) == entry["values"]:
            return self.serve(request, entry)
        response = self.get_response(request)
        self.keep(request, response, key)
        return response

    def serve(self, request, entry):
        content = entry["content"]
        if CSRF_SLOT in content:
            content = content.replace(CSRF_SLOT, get_token(request))
        if NONCE_SLOT in content:
            nonce = getattr(request, "_csp_nonce", None)
            content = content.replace(NONCE_SLOT, str(nonce) if nonce is not None else "")
        response = HttpResponse(content)
        for name, value in entry["headers"]:
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return response

    def keep(self, request, response, key):
        marked = getattr(request, versions.PAGE_ATTRIBUTE, None)
        if (
            marked is None
            or response.status_code != 200
            or response.streaming
            or response.cookies
            or not response.get("Content-Type", "").startswith("text/html")
            or getattr(getattr(request, "_messages", None), "_queued_messages", None)
            or getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            return
        content = response.content.decode(response.charset)
        if CSRF_SLOT in content or NONCE_SLOT in content:
            return
        secret = request.META.get("CSRF_COOKIE")
        if secret:
            content = TOKEN_RE.sub(
                lambda m: CSRF_SLOT if _unmask_cipher_token(m.group()) == secret else m.group(),
                content,
            )
        nonce = getattr(request, "_csp_nonce", None)
        if nonce:  # LazyNonce: true only when the page used it
            content = content.replace(str(nonce), NONCE_SLOT)
        scopes, values = marked
        headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
        entry = {"scopes": scopes, "values": values, "content": content, "headers": headers}
        cache.set(key, entry, _seconds())
        response["X-Page-Cache"] = "miss"
