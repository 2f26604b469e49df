"""The HSDS API's endpoints, mounted under settings.HSDS_API_PREFIX (default api/hsds/)."""

from django.urls import path, re_path

from . import views

app_name = "hsds_api"

urlpatterns = [
    path("", views.index, name="index"),
    path("openapi.json", views.openapi_document, name="openapi"),
    path("profile", views.profile, name="profile"),
    path("services", views.services, name="services"),
    path("services/<str:service_id>", views.service_detail, name="service"),
    path("taxonomies", views.taxonomies, name="taxonomies"),
    path("taxonomies/<str:taxonomy_id>", views.taxonomy_detail, name="taxonomy"),
    path("taxonomy_terms", views.taxonomy_terms, name="taxonomy_terms"),
    path("taxonomy_terms/<str:term_id>", views.taxonomy_term_detail, name="taxonomy_term"),
    path("organizations", views.organizations, name="organizations"),
    path("organizations/<str:organization_id>", views.organization_detail, name="organization"),
    path("service_at_locations", views.service_at_locations, name="service_at_locations"),
    # Anything else under the prefix is a JSON 404 too, never the catalogue's HTML page.
    re_path(r"^.*$", views.not_found),
]
