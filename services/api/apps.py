from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The open-data API (HSDS 3.0 / Open Referral UK). No models of its own."""

    name = "services.api"
    label = "hsds_api"
    verbose_name = _("Open data (HSDS)")
