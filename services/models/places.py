"""Municipalities: where local services are offered and who curates them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..validators import validate_cbs_code
from .base import unique_slug


class Municipality(models.Model):
    name = models.CharField(_("naam"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    cbs_code = models.CharField(
        _("CBS-code"),
        max_length=6,
        blank=True,
        validators=[validate_cbs_code],
        help_text=_("Bijvoorbeeld GM0363. Laat leeg als u de code niet weet."),
    )
    curators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="curated_municipalities",
        verbose_name=_("curatoren"),
        help_text=_("Medewerkers van de gemeente die het lokale aanbod beheren."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Municipality, self.name, self.pk)
        super().save(*args, **kwargs)
