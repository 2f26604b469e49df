from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    """The public site: home, catalogue, detail, compare, shortlist. No models of its own."""

    name = "services.catalogue"
    label = "catalogue"
    verbose_name = _("Publieke catalogus")
