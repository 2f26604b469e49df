from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.auth.signals import user_logged_in


class SocialeKaartConfig(AppConfig):
    """The project package: settings, root URLs, and commands that orchestrate several apps."""

    default = True
    name = "sociale_kaart"
    verbose_name = "Sociale Kaart"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)


def _start_idle_clock(sender, request, user, **kwargs):
    from .middleware import touch_session

    touch_session(request.session)


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the login of services.logins (TOTP codes for curators)."""

    default = False
    default_site = "services.logins.StaffAdminSite"

    def ready(self):
        super().ready()
        # The idle clock starts at login, so the first request after it writes nothing.
        user_logged_in.connect(_start_idle_clock, dispatch_uid="sociale_kaart.idle_clock")
