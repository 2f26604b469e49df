from django.apps import AppConfig


class SocialeKaartConfig(AppConfig):
    """The project package: settings, root URLs, and commands that orchestrate several apps."""

    name = "sociale_kaart"
    verbose_name = "Sociale Kaart"
