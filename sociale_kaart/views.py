"""Project-wide pages that belong to no app: the CSRF failure page."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A Dutch page in the site's layout instead of Django's technical CSRF page."""
    response = render(request, "403_csrf.html", status=403)
    response["Cache-Control"] = "no-store"
    return response
