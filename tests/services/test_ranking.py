"""The one result order (services.ranking): fit to the person, then text, then verified."""

import datetime

import pytest
from django.utils import timezone

from services import ranking
from services.models import Service
from tests.factories import make_service, make_target_group

pytestmark = pytest.mark.django_db


def ordered(person, names=None):
    queryset = Service.objects.published()
    if names:
        queryset = queryset.filter(name__in=names)
    return [s.name for s in ranking.order(queryset, person, ranked=False)]


def test_for_a_known_age_services_meant_for_that_age_come_first_and_misfits_last():
    elderly = make_target_group("Ouderen (75+)", slug="ouderen-75-plus")
    broad = make_target_group("50-plussers", slug="50-plussers")
    make_service("A voor jongeren", min_age=12, max_age=25)
    make_service("B voor iedereen")
    make_service("C voor 50-plussers", target_groups=[broad])
    make_service("D vanaf 65", min_age=65)
    make_service("E voor ouderen", target_groups=[elderly])
    assert ordered(ranking.Person(age=78)) == [
        "D vanaf 65",
        "E voor ouderen",
        "C voor 50-plussers",
        "B voor iedereen",
        "A voor jongeren",
    ]
    assert ordered(ranking.Person(age=16))[0] == "A voor jongeren"


def test_services_with_a_condition_the_person_may_not_meet_come_after_the_others():
    make_service("A met verwijzing", referral_required=True, essence="Met verwijzing.")
    make_service("B alleen laag inkomen", low_income_only=True)
    make_service("C zonder voorwaarden")
    assert ordered(ranking.Person(age=40))[0] == "C zonder voorwaarden"
    assert ordered(ranking.Person(age=40, has_referral=True, low_income=True)) == [
        "A met verwijzing",
        "B alleen laag inkomen",
        "C zonder voorwaarden",
    ]


def test_help_at_home_comes_first_for_someone_who_wants_it_at_home():
    make_service("A buitenshuis")
    make_service("B thuis", at_home=True, out_of_home=False)
    assert ordered(ranking.Person(at_home=True)) == ["B thuis", "A buitenshuis"]
    assert ordered(ranking.Person()) == ["A buitenshuis", "B thuis"]


def test_without_anything_known_recently_verified_services_come_first():
    old = make_service("A lang geleden gecontroleerd")
    new = make_service("B net gecontroleerd")
    make_service("C nooit gecontroleerd")
    now = timezone.now()
    Service.objects.filter(pk=old.pk).update(verified_at=now - datetime.timedelta(days=400))
    Service.objects.filter(pk=new.pk).update(verified_at=now)
    assert ordered(None) == [
        "B net gecontroleerd",
        "A lang geleden gecontroleerd",
        "C nooit gecontroleerd",
    ]
