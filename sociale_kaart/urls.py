from django.contrib import admin
from django.urls import include, path

from services.catalogue import views as catalogue_views

urlpatterns = [
    path("healthz", catalogue_views.healthz, name="healthz"),
    path("beheer/", admin.site.urls),
    path("coalities/", include("coalitions.urls")),
    path("telefoon/", include("phonedesk.urls")),
    path("controle/", include("services.curation.urls")),
    path("", include("services.catalogue.urls")),
]
