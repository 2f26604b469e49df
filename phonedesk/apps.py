from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhonedeskConfig(AppConfig):
    name = "phonedesk"
    verbose_name = _("Telefoonpost")
