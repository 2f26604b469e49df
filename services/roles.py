"""The roles people have, as Django groups. Who may do what is decided in one place,
the access policy (services.access); the groups carry the admin's model permissions only so
that Django's own checks stay consistent with it."""

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

ALL = ("view", "add", "change", "delete")
TAXONOMIES = ("targetgroup", "supporttype", "theme", "language", "synonym")

# Model permissions per group, as {"app_label.model": actions}. They only open the admin's
# menus; which rows someone sees or changes is decided by services.access.
GROUP_PERMISSIONS = {
    PARTNER: {
        "services.service": ("view", "add", "change"),
        "services.location": ALL,
        "services.openingperiod": ALL,
    },
    CURATOR: {
        "services.service": ("view", "add", "change"),
        "services.location": ALL,
        "services.openingperiod": ALL,
        "services.organisation": ("view", "add", "change"),
        "services.municipality": ("view",),
        "services.proposedchange": ("view", "change"),
        "services.serviceversion": ("view",),
        "services.errorreport": ("view", "change"),
        "services.verificationcampaign": ("view", "add"),
        **{f"services.{name}": ("view",) for name in TAXONOMIES},
    },
    NATIONAL_CURATOR: {
        **{
            f"services.{name}": ALL
            for name in (
                "service",
                "location",
                "openingperiod",
                "organisation",
                "municipality",
                "proposedchange",
                "errorreport",
                "verificationcampaign",
                *TAXONOMIES,
            )
        },
        "services.serviceversion": ("view",),
    },
    PHONE_DESK: {},
    COALITION_COORDINATOR: {},
}


def ensure_groups(group_model=None, permission_model=None):
    """Create the role groups if they are missing and give them their model permissions.

    Returns {name: Group}. Permissions of models not installed (yet) are skipped. A data
    migration passes its historical Group and Permission models.
    """
    from django.contrib.auth.models import Group, Permission

    Group = group_model or Group  # noqa: N806
    Permission = permission_model or Permission  # noqa: N806

    groups = {}
    for name in ROLE_LABELS:
        group = Group.objects.get_or_create(name=name)[0]
        wanted = []
        for model_label, actions in GROUP_PERMISSIONS.get(name, {}).items():
            app_label, model = model_label.split(".")
            wanted.extend(
                Permission.objects.filter(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )
        group.permissions.add(*wanted)
        groups[name] = group
    return groups
