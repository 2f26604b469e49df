"""The sitemap: published services and coalitions, for search engines."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from services.models import Service


class ServiceSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Service.objects.live().only("slug", "modified").order_by("pk")

    def lastmod(self, service):
        return service.modified


class StaticSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["services:home", "services:list"]

    def location(self, name):
        return reverse(name)
