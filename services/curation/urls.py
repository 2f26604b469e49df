from django.urls import path

from . import views as curation_views

app_name = "curation"

urlpatterns = [
    path("<str:token>/", curation_views.campaign, name="campaign"),
    path("<str:token>/dienst/<int:pk>/", curation_views.campaign_propose, name="campaign_propose"),
]
