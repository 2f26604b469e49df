"""Small factories for test data (fixtures/ holds demo data only)."""

import itertools

from django.contrib.auth import get_user_model

from services.models import (
    Language,
    Municipality,
    Organisation,
    Service,
    SupportType,
    TargetGroup,
    Theme,
)

_counter = itertools.count(1)


def _n():
    return next(_counter)


def make_municipality(name=None, **kwargs):
    return Municipality.objects.create(name=name or f"Gemeente {_n()}", **kwargs)


def make_organisation(name=None, **kwargs):
    return Organisation.objects.create(name=name or f"Organisatie {_n()}", **kwargs)


def make_target_group(name=None, **kwargs):
    return TargetGroup.objects.create(name=name or f"Doelgroep {_n()}", **kwargs)


def make_support_type(name=None, **kwargs):
    return SupportType.objects.create(name=name or f"Steun {_n()}", **kwargs)


def make_theme(name=None, **kwargs):
    return Theme.objects.create(name=name or f"Thema {_n()}", **kwargs)


def make_language(name=None, code=None, **kwargs):
    n = _n()
    return Language.objects.create(name=name or f"Taal {n}", code=code or f"x{n}", **kwargs)


def make_service(
    name=None,
    *,
    organisation=None,
    municipalities=(),
    target_groups=None,
    support_types=(),
    themes=(),
    languages=(),
    **kwargs,
):
    """A valid, published, national service unless told otherwise; validated like the admin."""
    fields = {
        "name": name or f"Dienst {_n()}",
        "summary": "Een korte samenvatting van de dienst.",
        "essence": "Wat de dienst concreet inhoudt, voor wie en hoe het werkt.",
        "phone": "030 123 45 67",
        "status": Service.Status.PUBLISHED,
        "scope": Service.Scope.LOCAL if municipalities else Service.Scope.NATIONAL,
        "out_of_home": True,
        **kwargs,
    }
    service = Service(organisation=organisation or make_organisation(), **fields)
    if target_groups is None:
        target_groups = [make_target_group()]
    service.full_clean()
    service.clean_relations(municipalities=municipalities, target_groups=target_groups)
    service.save()
    service.municipalities.set(municipalities)
    service.target_groups.set(target_groups)
    service.support_types.set(support_types)
    service.themes.set(themes)
    service.languages.set(languages)
    service.refresh_search_extra()
    return service


def make_user(username=None, *, groups=(), **kwargs):
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username=username or f"user{_n()}", password="test-password-123", **kwargs
    )
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user
