"""The catalogue's cache version."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CatalogueState(models.Model):
    """One row whose version goes up whenever anything the catalogue shows changes.

    Cached facet counts are keyed on it, so every web process sees a change at once.
    """

    version = models.PositiveBigIntegerField(default=1)
    changed = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stand van de catalogus")
        verbose_name_plural = _("stand van de catalogus")

    def __str__(self):
        return f"v{self.version}"

    @classmethod
    def current(cls):
        return cls.objects.values_list("version", flat=True).filter(pk=1).first() or 0

    @classmethod
    def bump(cls):
        """Invalidate cached catalogue data (called from signals and bulk writes)."""
        if not cls.objects.filter(pk=1).update(
            version=models.F("version") + 1, changed=timezone.now()
        ):
            cls.objects.get_or_create(pk=1)
