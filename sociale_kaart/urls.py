from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.urls import include, path
from django.views.decorators.cache import cache_page

from coalitions.sitemaps import CoalitionSitemap
from services.catalogue import views as catalogue_views
from services.catalogue.sitemaps import ServiceSitemap, StaticSitemap
from services.curation import views as curation_views

SITEMAPS = {"pages": StaticSitemap, "services": ServiceSitemap, "coalitions": CoalitionSitemap}

urlpatterns = [
    path("healthz", catalogue_views.healthz, name="healthz"),
    path("robots.txt", catalogue_views.robots_txt, name="robots"),
    path("favicon.ico", catalogue_views.favicon, name="favicon"),
    path(
        "sitemap.xml",
        cache_page(3600)(sitemap_view),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    # Before the admin's own shortcut, which redirects any staff user to any object's page.
    path(
        "beheer/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(curation_views.view_on_site),
        name="view_on_site",
    ),
    # Password reset by e-mail, for every staff login (the admin's login page links to it).
    path(
        "beheer/wachtwoord-vergeten/",
        auth_views.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        "beheer/wachtwoord-vergeten/verstuurd/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "beheer/wachtwoord-herstellen/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "beheer/wachtwoord-herstellen/klaar/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("beheer/", admin.site.urls),
    path(settings.HSDS_API_PREFIX, include("services.api.urls")),
    # set_language: the language switch in the header posts here and returns to the same page.
    path("i18n/", include("django.conf.urls.i18n")),
    path("coalities/", include("coalitions.urls")),
    path("telefoon/", include("phonedesk.urls")),
    path("controle/", include("services.curation.urls")),
    path("", include("services.catalogue.urls")),
]
