"""Lists a visitor keeps without logging in ("Mijn lijst", the compare list), in a cookie.

A cookie holds only service ids; nothing about the visitor is stored on the server.
"""

from django.utils.translation import gettext_lazy as _

from services import text

COOKIE_MAX_AGE = 60 * 60 * 24 * 180
# A list lives until the browser closes, unless the visitor chooses to keep it on this
# device (a shared computer in a library should not keep someone's list for half a year).
REMEMBER_COOKIE = "lijst_onthouden"


def parse_ids(raw, limit):
    """Service ids from a '1.2.3' string: junk is skipped, duplicates dropped, capped."""
    ids = []
    for part in (raw or "")[:2000].replace(",", ".").split("."):
        number = text.ascii_int(part.strip(), max_digits=12)
        if number is not None and number not in ids:
            ids.append(number)
    return ids[:limit]


def format_ids(ids):
    return ".".join(str(i) for i in ids)


class Selection:
    """A small ordered set of service ids kept in one cookie."""

    def __init__(self, request, *, cookie, limit, full_message):
        self.cookie = cookie
        self.limit = limit
        self.full_message = full_message
        self.ids = parse_ids(request.COOKIES.get(cookie, ""), limit)
        self.remember = request.COOKIES.get(REMEMBER_COOKIE) == "1"

    def __contains__(self, service_id):
        return service_id in self.ids

    def __len__(self):
        return len(self.ids)

    def toggle(self, service_id):
        """Add or remove; returns (added, error message or None)."""
        if service_id in self.ids:
            self.ids.remove(service_id)
            return False, None
        if len(self.ids) >= self.limit:
            return False, self.full_message
        self.ids.append(service_id)
        return True, None

    def save(self, response):
        if self.ids:
            response.set_cookie(
                self.cookie,
                format_ids(self.ids),
                max_age=COOKIE_MAX_AGE if self.remember else None,
                samesite="Lax",
                httponly=True,
            )
        else:
            response.delete_cookie(self.cookie, samesite="Lax")
        return response


def remember_choice(response, remember):
    """Keep lists on this device for COOKIE_MAX_AGE (remember) or until the browser closes."""
    if remember:
        response.set_cookie(
            REMEMBER_COOKIE, "1", max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True
        )
    else:
        response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")
    return response


SHORTLIST_LIMIT = 30
COMPARE_LIMIT = 4


def shortlist(request):
    return Selection(
        request,
        cookie="mijnlijst",
        limit=SHORTLIST_LIMIT,
        full_message=_("Uw lijst is vol (30 diensten). Haal eerst iets van uw lijst af."),
    )


def compare_list(request):
    return Selection(
        request,
        cookie="vergelijk",
        limit=COMPARE_LIMIT,
        full_message=_("U kunt hoogstens 4 diensten vergelijken. Haal er eerst een weg."),
    )
