"""The phone desk's view decorators; the rules themselves are the access policy's."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from services import access, logins


def can_use_desk(user):
    return access.allows(user, "use_desk")


def can_see_report(user):
    return access.allows(user, "see_gap_report")


def _role_required(test):
    def decorator(view):
        @login_required(login_url="phonedesk:login")
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            if logins.needs_second_factor(request.user) and not request.user.is_verified():
                # Curators and administrators reach the desk and the gap report with their
                # code too; without an app they set one up through the admin's login first.
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


desk_required = _role_required(can_use_desk)
report_required = _role_required(can_see_report)
