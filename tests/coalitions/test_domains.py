import pytest

from coalitions.domains import DOMAIN_EXAMPLES, domain_coverage
from services.models import Domain
from tests.factories import make_organisation

from .factories import make_coalition, make_membership

pytestmark = pytest.mark.django_db


def test_every_domain_has_examples_to_invite():
    assert set(DOMAIN_EXAMPLES) == set(Domain.values)


def test_missing_domains_are_the_twelve_minus_those_of_members():
    coalition = make_coalition()
    make_membership(coalition, make_organisation(domain=Domain.SPORT))
    make_membership(coalition, make_organisation(domain=Domain.SPORT))
    make_membership(coalition, make_organisation(domain=Domain.FAITH))

    coverage = domain_coverage(list(coalition.memberships.all()))

    assert [group.value for group in coverage.present] == [Domain.FAITH, Domain.SPORT]
    assert len(coverage.present[1].members) == 2
    assert len(coverage.missing) == 10
    assert {group.value for group in coverage.missing} == set(Domain.values) - {
        Domain.SPORT,
        Domain.FAITH,
    }


def test_membership_domain_overrides_the_organisations_domain():
    coalition = make_coalition()
    library = make_organisation(domain=Domain.CARE_WELFARE)
    make_membership(coalition, library, domain=Domain.ART_CULTURE)

    coverage = domain_coverage(list(coalition.memberships.all()))

    assert [group.value for group in coverage.present] == [Domain.ART_CULTURE]
    assert Domain.CARE_WELFARE in {group.value for group in coverage.missing}


def test_empty_membership_domain_takes_the_organisations_domain():
    coalition = make_coalition()
    membership = make_membership(coalition, make_organisation(domain=Domain.HOUSING))
    assert membership.domain == Domain.HOUSING


def test_no_members_means_all_twelve_missing_and_all_members_means_none():
    empty = make_coalition()
    assert len(domain_coverage([]).missing) == 12

    full = make_coalition()
    for domain in Domain.values:
        make_membership(full, make_organisation(domain=domain))
    coverage = domain_coverage(list(full.memberships.all()))
    assert coverage.missing == []
    assert len(coverage.present) == 12
    assert empty.memberships.count() == 0


def test_candidates_are_offered_only_for_missing_domains_and_at_most_three():
    coalition = make_coalition()
    member = make_organisation(domain=Domain.SPORT)
    make_membership(coalition, member)
    banks = [make_organisation(domain=Domain.FINANCIAL) for _ in range(5)]
    club = make_organisation(domain=Domain.SPORT)

    coverage = domain_coverage(list(coalition.memberships.all()), candidates=[member, club, *banks])

    financial = next(group for group in coverage.missing if group.value == Domain.FINANCIAL)
    assert financial.candidates == banks[:3]
    sport = next(group for group in coverage.present if group.value == Domain.SPORT)
    assert sport.candidates == []
