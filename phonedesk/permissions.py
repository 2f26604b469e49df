"""The phone desk's view decorators; the rules themselves are the access policy's."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from services import access


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
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


desk_required = _role_required(can_use_desk)
report_required = _role_required(can_see_report)
