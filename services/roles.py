"""The roles people have, as Django groups. Who may do what is decided in one place per model
(querysets such as `Service.objects.editable_by(user)`); the groups carry the admin's model
permissions so that the admin shows the right menus."""

from django.utils.translation import gettext_lazy as _

PARTNER = "Aanbieder"
CURATOR = "Curator gemeente"
NATIONAL_CURATOR = "Curator landelijk"
PHONE_DESK = "Telefoonpost"
COALITION_COORDINATOR = "Coördinator coalitie"

ROLE_LABELS = {
    PARTNER: _("Aanbieder: bewerkt de diensten van de eigen organisatie"),
    CURATOR: _("Curator gemeente: beoordeelt en controleert het lokale aanbod"),
    NATIONAL_CURATOR: _("Curator landelijk: beheert alles, ook landelijk aanbod"),
    PHONE_DESK: _("Telefoonpost: zoekt aanbod voor bellers"),
    COALITION_COORDINATOR: _("Coördinator coalitie: houdt de pagina van de coalitie bij"),
}


def user_in_group(user, name):
    """True when the user is active and in the group (superusers are in every group)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=name).exists()


def ensure_groups():
    """Create the role groups if they are missing; returns {name: Group}."""
    from django.contrib.auth.models import Group

    return {name: Group.objects.get_or_create(name=name)[0] for name in ROLE_LABELS}
