import pytest

from coalitions import demo
from coalitions.domains import domain_coverage
from coalitions.models import Coalition, LonelinessFigure, Measurement
from services.models import Municipality
from tests.factories import make_organisation, make_service, make_user

pytestmark = pytest.mark.django_db


def test_load_works_alone_and_twice_gives_the_same_result():
    first = demo.load()
    second = demo.load()

    assert first == second
    assert Coalition.objects.count() == 1
    coalition = Coalition.objects.get()
    assert coalition.municipality.slug == "voorbeeldstad"
    assert coalition.is_published
    coverage = domain_coverage(list(coalition.memberships.all()))
    assert len(coverage.present) >= 8
    assert coalition.goals.count() == 3
    for goal in coalition.goals.all():
        assert goal.indicators.exists()
        years = {m.date.year for m in Measurement.objects.filter(indicator__goal=goal)}
        assert len(years) == 3
    assert any(
        c.services.exists() for goal in coalition.goals.all() for c in goal.commitments.all()
    )


def test_commitment_services_belong_to_their_member():
    demo.load()
    coalition = Coalition.objects.get()
    for goal in coalition.goals.all():
        for commitment in goal.commitments.all():
            for service in commitment.services.all():
                assert service.organisation_id == commitment.membership.organisation_id


def test_figures_are_marked_fictional_and_national_ones_are_the_seeds():
    demo.load()
    local = LonelinessFigure.objects.get(municipality__slug="voorbeeldstad")
    assert "Fictieve democijfers" in local.source
    national = LonelinessFigure.objects.national().get()
    assert (national.year, national.lonely_percent, national.severely_lonely_percent) == (
        2016,
        43,
        10,
    )
    assert national.source == demo.NATIONAL_SOURCE


def test_links_the_coordinator_user_when_it_exists():
    assert demo.load()["coordinator"] is False
    user = make_user("coordinator", is_staff=True)
    demo.load()
    assert list(Coalition.objects.get().coordinators.all()) == [user]


def test_uses_existing_voorbeeldstad_organisations_and_their_services():
    voorbeeldstad = Municipality.objects.create(name="Voorbeeldstad", slug="voorbeeldstad")
    welfare = make_organisation("Welzijn Voorbeeldstad", slug="welzijn-voorbeeldstad")
    service = make_service("Koffie-uurtje", organisation=welfare, municipalities=[voorbeeldstad])
    local = make_organisation("Buurthuis De Linde")
    make_service(organisation=local, municipalities=[voorbeeldstad])

    demo.load()

    coalition = Coalition.objects.get()
    assert coalition.memberships.filter(organisation=local).exists()
    assert coalition.lead_organisation == welfare
    assert service.coalition_commitments.exists()
    assert not welfare.services.exclude(pk=service.pk).exists()


def test_writes_a_line_when_given_stdout():
    import io

    out = io.StringIO()
    demo.load(stdout=out)
    assert "Voorbeeldstad" in out.getvalue()
