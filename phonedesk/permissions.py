"""Who may use the phone desk and who may see its gap report, decided here only."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from services import roles

DESK_ROLES = (roles.PHONE_DESK, roles.CURATOR, roles.NATIONAL_CURATOR)
REPORT_ROLES = (roles.CURATOR, roles.NATIONAL_CURATOR)


def has_role(user, names):
    """True for active superusers and active members of any of the groups, in one query."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=names).exists()


def can_use_desk(user):
    return has_role(user, DESK_ROLES)


def can_see_report(user):
    return has_role(user, REPORT_ROLES)


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
