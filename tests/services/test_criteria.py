"""One meaning per filter: the catalogue's facets and the phone desk's toggles agree."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from phonedesk.caller import CallerContext
from services import criteria
from services.filters import ServiceFilterSet
from services.models import Service
from tests.factories import make_service, make_target_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def audiences():
    everyone = make_target_group("Iedereen", slug="iedereen")
    elderly = make_target_group("Ouderen", slug="ouderen")
    youth = make_target_group("Jongeren", slug="jongeren")
    return {
        "for_everyone": make_service("Voor iedereen", target_groups=[everyone]),
        "for_elderly": make_service("Voor ouderen", target_groups=[elderly]),
        "for_youth": make_service("Voor jongeren", target_groups=[youth]),
    }


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


def test_everyone_matches_every_audience_in_the_catalogue(client, audiences):
    response = client.get(reverse("services:list"), {"doelgroep": "ouderen"})
    shown = [service.name for service in response.context["object_list"]]
    assert sorted(shown) == ["Voor iedereen", "Voor ouderen"]


def test_everyone_is_not_added_when_nothing_is_chosen(audiences):
    assert names(Service.objects.filter(criteria.audience_q([]))) == []
    assert names(Service.objects.filter(criteria.audience_q(["jongeren"]))) == [
        "Voor iedereen",
        "Voor jongeren",
    ]


@pytest.mark.parametrize(
    ("toggle", "params"),
    [
        ("free", {"kosten": "free"}),
        ("no_referral", {"zonder_verwijzing": "1"}),
        ("at_home", {"waar": "at_home"}),
        ("by_phone", {"waar": "by_phone"}),
    ],
)
def test_desk_toggles_mean_what_the_catalogue_facets_mean(toggle, params):
    make_service("Gratis thuis", cost=Service.Cost.FREE, at_home=True, out_of_home=False)
    make_service("Betaald telefonisch", cost=Service.Cost.PAID, by_phone=True)
    make_service("Met verwijzing", referral_required=True, cost=Service.Cost.SUBSIDISED)
    caller = CallerContext(municipality_id=None, **{toggle: True})
    desk = names(caller.apply_toggles(Service.objects.published()))
    data = QueryDict(mutable=True)
    data.update(params)
    catalogue = ServiceFilterSet(data, queryset=Service.objects.published()).qs
    assert desk == names(catalogue)
    assert desk  # the case is not empty: it can fail
