from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import path, reverse_lazy

from services.logins import DeskLoginForm

from . import views

app_name = "phonedesk"

urlpatterns = [
    path("", views.desk, name="desk"),
    # Phone-desk staff are not admin users, so they get a login page of their own.
    path(
        "inloggen/",
        auth_views.LoginView.as_view(
            template_name="phonedesk/login.html", authentication_form=DeskLoginForm
        ),
        name="login",
    ),
    path(
        "wachtwoord/",
        login_required(
            auth_views.PasswordChangeView.as_view(
                template_name="phonedesk/password_change.html",
                success_url=reverse_lazy("phonedesk:password_changed"),
            ),
            login_url="phonedesk:login",
        ),
        name="password_change",
    ),
    path(
        "wachtwoord/gewijzigd/",
        login_required(
            auth_views.PasswordChangeDoneView.as_view(
                template_name="phonedesk/password_changed.html"
            ),
            login_url="phonedesk:login",
        ),
        name="password_changed",
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
