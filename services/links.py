"""Signed links for verification campaigns: no login, they expire, one provider each."""

from django.conf import settings
from django.core import signing

SALT = "services.campaign-recipient"


def link_max_age():
    """Seconds a campaign link stays valid (setting VERIFICATION_LINK_DAYS, default 30)."""
    return getattr(settings, "VERIFICATION_LINK_DAYS", 30) * 24 * 3600


def recipient_token(recipient):
    """A token naming one recipient and its organisation, signed with the time of sending."""
    return signing.dumps({"r": recipient.pk, "o": recipient.organisation_id}, salt=SALT)


def recipient_from_token(token):
    """The CampaignRecipient a token names, or None when it is tampered, expired or unknown.

    Raises signing.SignatureExpired for a genuine but expired link, so the page can say so.
    """
    from .models import CampaignRecipient

    try:
        value = signing.loads(token, salt=SALT, max_age=link_max_age())
    except signing.SignatureExpired:
        raise
    except signing.BadSignature:
        return None
    if not isinstance(value, dict):
        return None
    return (
        CampaignRecipient.objects.select_related("organisation", "campaign")
        .filter(pk=value.get("r"), organisation_id=value.get("o"))
        .first()
    )


def site_url():
    """The site's address for links in e-mails sent without a request (setting SITE_URL)."""
    return getattr(settings, "SITE_URL", "http://localhost:8000").rstrip("/")
