"""Organisations that provide services."""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..validators import validate_no_control_characters, validate_phone, validate_single_line
from .base import Domain, unique_slug


class Organisation(models.Model):
    name = models.CharField(
        _("naam"),
        max_length=200,
        validators=[validate_no_control_characters, validate_single_line],
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True, blank=True)
    description = models.TextField(_("beschrijving"), blank=True)
    website = models.URLField(_("website"), blank=True, max_length=500)
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoon"), max_length=30, blank=True, validators=[validate_phone])
    domain = models.CharField(
        _("domein"), max_length=30, choices=Domain.choices, default=Domain.CARE_WELFARE
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organisations",
        verbose_name=_("medewerkers die mogen bewerken"),
    )
    uuid = models.UUIDField(_("UUID"), default=uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Organisation, self.name, self.pk, max_length=200)
        super().save(*args, **kwargs)
