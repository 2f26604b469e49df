from django.conf import settings
from django.utils.functional import SimpleLazyObject

from services.validators import tel_href

from .municipality import current_municipality
from .selection import shortlist


def site(request):
    """Site-wide facts every page shows: the helpline and the chosen municipality."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "HELPLINE_PHONE": settings.HELPLINE_PHONE,
        "HELPLINE_PHONE_HREF": tel_href(settings.HELPLINE_PHONE),
        "HELPLINE_HOURS": settings.HELPLINE_HOURS,
        "current_municipality": SimpleLazyObject(lambda: current_municipality(request)),
        # Read from the cookie only: no query.
        "shortlist_count": len(shortlist(request)),
    }
