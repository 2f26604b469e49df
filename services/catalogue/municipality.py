"""The resident's municipality: chosen once, kept in a cookie, the deployment's default otherwise."""

from django.conf import settings

from services.models import Municipality

COOKIE_NAME = "gemeente"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def current_municipality(request):
    """The municipality chosen by this visitor (cookie), else the default; cached per request."""
    if not hasattr(request, "_municipality"):
        slug = request.COOKIES.get(COOKIE_NAME) or settings.DEFAULT_MUNICIPALITY
        municipality = Municipality.objects.filter(slug=slug[:100]).first()
        if municipality is None and slug != settings.DEFAULT_MUNICIPALITY:
            municipality = Municipality.objects.filter(slug=settings.DEFAULT_MUNICIPALITY).first()
        request._municipality = municipality
    return request._municipality


def remember_municipality(response, municipality):
    response.set_cookie(
        COOKIE_NAME, municipality.slug, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True
    )
    return response
