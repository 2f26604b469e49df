"""Requests made trustworthy before any view, session or query sees them.

TrustedProxyMiddleware: the client's address and scheme come from X-Forwarded-For and
X-Forwarded-Proto only when the connection itself comes from a configured proxy
(TRUSTED_PROXIES); from anyone else those headers are dropped. Login lockouts and rate
limits read the address through client_ip(), so they and gunicorn's forwarded_allow_ips
trust the same machines.

RequestSanityMiddleware: a NUL or control character in the path, a query parameter or a
form field's name is refused with a Dutch 400 page before anything reaches the database
(PostgreSQL refuses NUL in any text parameter); a cookie with one is dropped and deleted,
so one bad cookie cannot break every page. Form values are left to the forms, whose fields
refuse NUL and control characters with a message next to the field (the person keeps what
they typed).
"""

import ipaddress
import re
import time

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.functional import cached_property

# C0 controls and DEL, and the C1 controls.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")


def client_ip(request):
    """The client's address as the site trusts it (after TrustedProxyMiddleware)."""
    return request.META.get("REMOTE_ADDR", "")


def _address(value):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def networks(self):
        return [
            ipaddress.ip_network(value, strict=False)
            for value in getattr(settings, "TRUSTED_PROXIES", [])
        ]

    def is_proxy(self, address):
        return address is not None and any(address in network for network in self.networks)

    def __call__(self, request):
        meta = request.META
        if self.is_proxy(_address(meta.get("REMOTE_ADDR", ""))):
            hops = [_address(hop) for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            # The right-most address that is not one of our proxies is the client; anything
            # to its left was written by the client and proves nothing.
            for hop in reversed(hops):
                if hop is None:
                    break
                if not self.is_proxy(hop):
                    meta["REMOTE_ADDR"] = str(hop)
                    break
        else:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)


def bad_request(request):
    response = render(request, "400.html", status=400)
    response["Cache-Control"] = "no-store"
    return response


class RequestSanityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(f"/{settings.HSDS_API_PREFIX}"):
            # The open-data API validates its own parameters and answers in JSON, as its
            # OpenAPI document promises (a 400 or 404 with an error object, never HTML).
            return self.get_response(request)
        if CONTROL_RE.search(request.path_info) or self._bad_query(request):
            request.COOKIES = {}
            return bad_request(request)
        dropped = [name for name, value in request.COOKIES.items() if CONTROL_RE.search(value)]
        for name in dropped:
            del request.COOKIES[name]
        if request.method == "POST" and self._bad_form(request):
            return bad_request(request)
        response = self.get_response(request)
        for name in dropped:
            response.delete_cookie(name, samesite="Lax")
        return response

    @staticmethod
    def _bad_query(request):
        return any(
            CONTROL_RE.search(key) or CONTROL_RE.search(value)
            for key, values in request.GET.lists()
            for value in values
        )

    @staticmethod
    def _bad_form(request):
        content_type = request.content_type or ""
        if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return False
        return any(CONTROL_RE.search(key) for key in request.POST)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every answer; under SECURE_SSL, Secure on every cookie set.

    Applying Secure here, not at each set_cookie call, covers the municipality and list
    cookies, the messages cookie and any cookie a later feature adds.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        if getattr(settings, "COOKIES_SECURE", False):
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


class MethodNotAllowedPageMiddleware:
    """A Dutch page in the site's layout for 405 answers, which Django leaves empty."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and request.method != "HEAD":
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response


IDLE_KEY = "_idle_touch"
# Renewing the expiry costs a database write: once a minute is precise enough for 30 minutes.
TOUCH_EVERY_SECONDS = 60


def touch_session(session):
    session[IDLE_KEY] = int(time.time())


class IdleSessionMiddleware:
    """A logged-in session ends SESSION_COOKIE_AGE after its last request, not after its first.

    Equivalent to SESSION_SAVE_EVERY_REQUEST, without a database write on every keystroke
    search of the phone desk.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (
            session is not None
            and not session.modified
            and not session.is_empty()
            and time.time() - session.get(IDLE_KEY, 0) >= TOUCH_EVERY_SECONDS
        ):
            touch_session(session)
        return response


class ChosenLanguageMiddleware(LocaleMiddleware):
    """The interface language: Dutch unless the visitor chose English with the switch.

    Like Django's LocaleMiddleware, but ignores the browser's Accept-Language: many Dutch
    residents (and the municipality's own computers) have an English browser or operating
    system, and should still get the Dutch site. Only the language cookie, set by the switch
    in the header (Django's set_language view), chooses English.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
