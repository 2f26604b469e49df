from django.contrib import admin
from django.urls import include, path

from services import views as service_views

urlpatterns = [
    path("healthz", service_views.healthz, name="healthz"),
    path("beheer/", admin.site.urls),
    path("coalities/", include("coalitions.urls")),
    path("telefoon/", include("phonedesk.urls")),
    path("controle/", include("services.curation_urls")),
    path("", include("services.urls")),
]
