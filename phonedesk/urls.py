from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "phonedesk"

urlpatterns = [
    path("", views.desk, name="desk"),
    # Phone-desk staff are not admin users, so they get a login page of their own.
    path(
        "inloggen/",
        auth_views.LoginView.as_view(template_name="phonedesk/login.html"),
        name="login",
    ),
    path("uitloggen/", auth_views.LogoutView.as_view(next_page="phonedesk:login"), name="logout"),
    path("zoeken/", views.search, name="search"),
    path("zoeken/tellen/", views.note_search, name="note_search"),
    path("dienst/<int:pk>/", views.service_panel, name="service"),
    path("lijst/", views.pick, name="pick"),
    path("lijst/samenvatting/", views.summary, name="summary"),
    path("lijst/samenvatting/mailen/", views.summary_email, name="summary_email"),
    path("nieuw-gesprek/", views.new_call, name="new_call"),
    path("afronden/", views.finish, name="finish"),
    path("gaten-in-het-aanbod/", views.gaps, name="gaps"),
    path("gaten-in-het-aanbod/<slug:slug>.csv", views.gaps_csv, name="gaps_csv"),
]
