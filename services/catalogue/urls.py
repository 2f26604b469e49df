from django.urls import path

from . import views

app_name = "services"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("aanbod/", views.ServiceListView.as_view(), name="list"),
    path("aanbod/vergelijk/", views.compare, name="compare"),
    path("aanbod/suggesties/", views.suggestions, name="suggestions"),
    path("aanbod/<slug:slug>/", views.ServiceDetailView.as_view(), name="detail"),
    path("aanbod/<slug:slug>/meld-een-fout/", views.report_error, name="report"),
    path("aanbod/<slug:slug>/agenda.ics", views.service_calendar, name="calendar"),
    path("aanbod/<slug:slug>/bewaar/", views.toggle_shortlist, name="toggle_shortlist"),
    path("aanbod/<slug:slug>/vergelijk/", views.toggle_compare, name="toggle_compare"),
    path("mijn-lijst/", views.shortlist, name="shortlist"),
    path("mijn-lijst/bewaren/", views.keep_shared_list, name="keep_shortlist"),
    path("mijn-lijst/leegmaken/", views.clear_shortlist, name="clear_shortlist"),
    path("mijn-lijst/onthouden/", views.remember_shortlist, name="remember_shortlist"),
    path("gemeente/", views.choose_municipality, name="municipality"),
]
