"""Published coalitions in the sitemap."""

from django.contrib.sitemaps import Sitemap

from .models import Coalition


class CoalitionSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Coalition.objects.published().order_by("pk")

    def lastmod(self, coalition):
        return coalition.modified
