"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sociale_kaart.settings")

application = get_wsgi_application()

from sociale_kaart import memory  # noqa: E402 (needs the settings get_wsgi_application set up)

memory.settle()  # what is loaded now lives as long as the worker: no collection looks at it
