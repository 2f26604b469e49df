from django.contrib import admin
from django.urls import include, path

from services.catalogue import views as catalogue_views
from services.curation import views as curation_views

urlpatterns = [
    path("healthz", catalogue_views.healthz, name="healthz"),
    # Before the admin's own shortcut, which redirects any staff user to any object's page.
    path(
        "beheer/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(curation_views.view_on_site),
        name="view_on_site",
    ),
    path("beheer/", admin.site.urls),
    path("coalities/", include("coalitions.urls")),
    path("telefoon/", include("phonedesk.urls")),
    path("controle/", include("services.curation.urls")),
    path("", include("services.catalogue.urls")),
]
