from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _count_catalogue_search(sender, **kwargs):
    from .actions import catalogue_search_count

    catalogue_search_count(**kwargs)


class PhonedeskConfig(AppConfig):
    name = "phonedesk"
    verbose_name = _("Telefoonpost")

    def ready(self):
        from services.signals import search_without_results

        # The gap report also covers residents who search the site alone.
        search_without_results.connect(
            _count_catalogue_search, dispatch_uid="phonedesk.catalogue_search"
        )
