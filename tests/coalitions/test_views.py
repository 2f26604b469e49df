import pytest
from django.urls import reverse

from coalitions.models import Membership, Step
from services.models import Domain
from tests.factories import make_municipality, make_organisation, make_service, make_user

from .factories import (
    make_coalition,
    make_commitment,
    make_figure,
    make_goal,
    make_indicator,
    make_measurement,
    make_membership,
)

pytestmark = pytest.mark.django_db


def build(municipality=None, *, members=3, goals=2, measurements=3, national=True):
    """A coalition with members, goals, indicators, measurements, commitments and services."""
    municipality = municipality or make_municipality("Voorbeeldstad", slug="voorbeeldstad")
    lead = make_organisation(domain=Domain.CARE_WELFARE)
    coalition = make_coalition(
        "Samen in Voorbeeldstad",
        municipality=municipality,
        lead_organisation=lead,
        step=Step.PLAN,
    )
    memberships = [make_membership(coalition, lead, role=Membership.Role.LEAD)]
    domains = [Domain.SPORT, Domain.FAITH, Domain.HOUSING, Domain.EDUCATION, Domain.FINANCIAL]
    for index in range(members - 1):
        memberships.append(
            make_membership(coalition, make_organisation(domain=domains[index % len(domains)]))
        )
    for membership in memberships:
        make_service(organisation=membership.organisation, municipalities=[municipality])
    for _ in range(goals):
        goal = make_goal(coalition)
        for _ in range(2):
            indicator = make_indicator(goal)
            for year in range(measurements):
                make_measurement(indicator, f"{2021 + year}-06-01", str(39 - year))
        for membership in memberships:
            make_commitment(goal, membership, services=list(membership.organisation.services.all()))
    # A candidate to invite: an organisation from a missing domain with a local service.
    make_service(
        organisation=make_organisation("Bank van Voorbeeldstad", domain=Domain.ENTREPRENEURS),
        municipalities=[municipality],
    )
    make_figure(municipality, 2022, "46", "12", source="Fictieve democijfers")
    if national:
        make_figure(None, 2016, "43", "10", source="Gezondheidsmonitor 2016")
    return coalition


def test_list_groups_published_coalitions_by_municipality(client):
    shown = make_coalition("Zichtbaar", municipality=make_municipality("Aa"))
    make_coalition("Verborgen", is_published=False)

    response = client.get(reverse("coalitions:list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Gemeente Aa" in html
    assert shown.get_absolute_url() in html
    assert "Verborgen" not in html


def test_coalition_page_shows_members_missing_domains_goals_and_figures(client):
    coalition = build()

    response = client.get(coalition.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Stap 4 van 6" in html
    assert 'aria-current="step"' in html
    assert "Welke werkvelden ontbreken nog?" in html
    # Members come from care and welfare, sport and faith: those are not missing.
    assert "Denk aan sportverenigingen" not in html
    assert "Denk aan kerken" not in html
    assert "Denk aan welzijnswerk" not in html
    assert "Denk aan banken, verzekeraars, fondsen." in html
    assert "Denk aan supermarkten" in html  # entrepreneurs are missing
    assert "Bank van Voorbeeldstad" in html  # candidate from the catalogue
    assert "46%" in html and "43%" in html
    assert "Fictieve democijfers" in html
    for service in coalition.memberships.first().organisation.services.all():
        assert service.get_absolute_url() in html


def test_unpublished_coalition_is_404_for_the_public_and_a_preview_for_its_coordinator(client):
    coordinator = make_user(is_staff=True)
    coalition = make_coalition(is_published=False, coordinators=[coordinator])

    assert client.get(coalition.get_absolute_url()).status_code == 404
    client.force_login(make_user(is_staff=True))
    assert client.get(coalition.get_absolute_url()).status_code == 404

    client.force_login(coordinator)
    response = client.get(coalition.get_absolute_url())
    assert response.status_code == 200
    assert "nog niet gepubliceerd" in response.content.decode()


def test_user_text_is_escaped(client):
    coalition = make_coalition(description="<script>alert(1)</script>")
    make_goal(coalition, title="<b>vet</b>")
    html = client.get(coalition.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;b&gt;vet&lt;/b&gt;" in html


def test_coalition_page_query_count_does_not_grow_with_rows(client, django_assert_num_queries):
    small = build(members=2, goals=1, measurements=2)
    large = build(
        make_municipality("Grootstad"), members=6, goals=3, measurements=4, national=False
    )
    # 1 header municipality, 1 coalition, memberships, goals, indicators, measurements,
    # commitments, commitment services, candidates, figures, member services.
    with django_assert_num_queries(11):
        assert client.get(small.get_absolute_url()).status_code == 200
    with django_assert_num_queries(11):
        assert client.get(large.get_absolute_url()).status_code == 200


def test_list_query_count_is_fixed(client, django_assert_num_queries):
    for index in range(5):
        coalition = make_coalition(municipality=make_municipality(f"Plaats {index}"))
        make_membership(coalition)
    # 1 header municipality, 1 list with counts.
    with django_assert_num_queries(2):
        assert client.get(reverse("coalitions:list")).status_code == 200
