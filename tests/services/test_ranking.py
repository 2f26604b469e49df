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


def test_age_group_members_read_beforehand_give_the_same_order_as_the_rule():
    # The phone desk reads each age group's services once (ranking.age_group_members) and
    # passes them to order(); the order must be the one of the rule itself, for every age.
    groups = {
        slug: make_target_group(slug, slug=slug) for slug in [*ranking.AGE_GROUPS, "mantelzorgers"]
    }
    make_service("A geen doelgroep")
    make_service("B ouderen", target_groups=[groups["ouderen-75-plus"]])
    make_service(
        "C 55-plus en 50-plus", target_groups=[groups["55-plussers"], groups["50-plussers"]]
    )
    make_service("D jongeren 12-25", target_groups=[groups["jongeren"]], min_age=12, max_age=25)
    make_service("E mantelzorg vanaf 60", target_groups=[groups["mantelzorgers"]], min_age=60)
    make_service("F 50-plus tot 70", target_groups=[groups["50-plussers"]], max_age=70)
    make_service("G vanaf 18 met verwijzing", min_age=18, referral_required=True)
    make_service("H ouderen thuis", target_groups=[groups["ouderen-75-plus"]], at_home=True)
    flags = ranking.age_group_flags()
    members = ranking.age_group_members(
        Service.objects.published().annotate(**flags).values_list("pk", *flags)
    )
    assert sorted(len(ids) for ids in members.values()) == [1, 1, 2, 2]
    for age in [*range(0, 101, 3), 50, 55, 65, 75]:
        for person in (ranking.Person(age=age), ranking.Person(age=age, at_home=True)):
            queryset = Service.objects.published()
            expected = [s.name for s in ranking.order(queryset, person, ranked=False)]
            got = [s.name for s in ranking.order(queryset, person, ranked=False, members=members)]
            assert got == expected, person
