from django.urls import path

from . import views

app_name = "coalitions"

urlpatterns = [
    path("", views.CoalitionListView.as_view(), name="list"),
    path("<slug:slug>/", views.CoalitionDetailView.as_view(), name="detail"),
]
