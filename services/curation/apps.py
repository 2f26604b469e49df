from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CurationConfig(AppConfig):
    """The staff side over the same models: admin, review, import, dashboard, campaigns."""

    name = "services.curation"
    label = "curation"
    verbose_name = _("Beheer van het aanbod")
