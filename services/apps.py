from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Aanbod")

    def ready(self):
        from . import lookups, signals

        lookups.register()
        signals.connect()
