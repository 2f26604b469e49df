"""Deployment checks of the project's own settings (run by manage.py check --deploy)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    """Behind a TLS proxy, SECURE_SSL needs the proxy's address to believe X-Forwarded-Proto."""
    if getattr(settings, "SECURE_SSL", False) and not getattr(settings, "TRUSTED_PROXIES", []):
        return [
            checks.Warning(
                "SECURE_SSL is on but TRUSTED_PROXIES is empty: behind a proxy that ends TLS "
                "every request looks like plain HTTP and is redirected to HTTPS again.",
                hint="Set TRUSTED_PROXIES to the proxy's address (and gunicorn's "
                "--forwarded-allow-ips to the same), or silence sociale_kaart.W001 when "
                "gunicorn itself ends TLS.",
                id="sociale_kaart.W001",
            )
        ]
    return []
