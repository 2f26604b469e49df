from django.urls import path

from . import views as curation_views

app_name = "curation"

urlpatterns = [
    # The e-mailed link: exchanged once for the browser's session, then a URL without it.
    path("", curation_views.campaign, name="campaign"),
    path("dienst/<int:pk>/", curation_views.campaign_propose, name="campaign_propose"),
    path(
        "dienst/<int:pk>/<slug:section>/",
        curation_views.campaign_section,
        name="campaign_section",
    ),
    path("<str:token>/", curation_views.campaign_enter, name="campaign_enter"),
]
