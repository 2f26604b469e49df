"""The curator dashboard, and pinned query counts of the admin pages."""

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services import access, actions, snapshots
from services.curation import dashboard
from services.models import ErrorReport, Location, Service
from tests.factories import make_service, make_support_type
from tests.services.curation_fixtures import build_world, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_dashboard_shows_queue_overdue_incomplete_reports_and_duplicates(client, world):
    data = snapshots.snapshot(world.ours)
    data["fields"]["summary"] = "Anders."
    actions.service_propose_change(service=world.ours, data=data, user=world.partner)
    report(world.neighbour)
    report(world.neighbour, state=ErrorReport.State.HANDLED)
    report(world.elsewhere)  # not this curator's
    make_service("Wandelclub", organisation=world.own_org, municipalities=[world.here])
    client.force_login(world.curator)
    response = client.get(reverse("admin:services_dashboard"))
    assert response.status_code == 200
    context = response.context
    assert context["proposal_count"] == 1
    assert context["overdue_count"] == 3
    assert context["open_report_count"] == 1
    assert {r.state for r in context["reports"]} == {"open", "handled"}
    assert all(r.service_id == world.neighbour.pk for r in context["reports"])
    # make_service leaves url, e-mail and support types empty: 5 of 8 parts.
    assert {s.completeness for s in context["incomplete"]} == {62}
    assert "soort steun" in [str(label) for label in context["incomplete"][0].missing]
    pairs = [{a.name, b.name} for a, b, _sim in context["duplicates"]]
    assert pairs == [{"Wandelclub"}]
    page = response.content.decode()
    assert reverse("admin:services_service_change", args=[world.neighbour.pk]) in page


def test_complete_service_scores_100(world):
    service = make_service(
        "Compleet",
        organisation=world.own_org,
        municipalities=[world.here],
        support_types=[make_support_type()],
        url="https://example.org",
        email="a@example.org",
    )
    scored = dashboard.with_completeness(Service.objects.filter(pk=service.pk)).get()
    assert scored.completeness == 100
    assert dashboard.missing_parts(scored) == []


def test_similar_names_are_possible_duplicates_on_postgres(world, postgres_only):
    make_service("Wandelclubje", organisation=world.own_org, municipalities=[world.here])
    pairs = dashboard.possible_duplicates(
        access.scope(world.curator, "curate", Service.objects.all())
    )
    assert [{a.name, b.name} for a, b, _sim in pairs] == [{"Wandelclub", "Wandelclubje"}]


def test_archived_services_are_not_duplicates(world):
    make_service(
        "Wandelclub", organisation=world.own_org, municipalities=[world.here], status="archived"
    )
    assert (
        dashboard.possible_duplicates(access.scope(world.curator, "curate", Service.objects.all()))
        == []
    )


@pytest.fixture
def without_app_list(monkeypatch):
    """The admin's menu asks every registered admin (also other apps') for permissions;
    leave it out so the counts below pin this app's pages only."""
    from django.contrib import admin

    monkeypatch.setattr(admin.site, "get_app_list", lambda request, app_label=None: [])


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_services(world, n, prefix="Extra"):
    for i in range(n):
        # Unrelated names, so no "possible duplicates" query changes the count.
        name = hashlib.sha256(f"{prefix}{i}".encode()).hexdigest()[:16]
        service = make_service(name, organisation=world.own_org, municipalities=[world.here])
        Location.objects.create(service=service, name=f"Plek {i}")
        report(service)


# Pinned: session, user, groups, filter choices, counts, rows, date hierarchy; never per row.
CHANGELIST_QUERIES = {
    ("curator", "service"): 13,
    ("partner", "service"): 12,
    ("national_curator", "service"): 11,
    ("curator", "location"): 9,
    ("curator", "errorreport"): 9,
    ("curator", "proposedchange"): 7,
}


DASHBOARD_QUERIES = 14


@pytest.mark.parametrize(("role", "model"), CHANGELIST_QUERIES)
def test_admin_changelist_query_count_is_pinned(client, world, role, model, without_app_list):
    client.force_login(getattr(world, role))
    url = reverse(f"admin:services_{model}_changelist")
    add_services(world, 2)
    few = count_queries(client, url)
    add_services(world, 10, prefix="Meer")
    many = count_queries(client, url)
    assert (few, many) == (CHANGELIST_QUERIES[(role, model)],) * 2


def test_dashboard_query_count_does_not_grow_with_rows(client, world, without_app_list):
    client.force_login(world.curator)
    url = reverse("admin:services_dashboard")
    add_services(world, 2)
    few = count_queries(client, url)
    add_services(world, 10, prefix="Meer")
    assert count_queries(client, url) == few == DASHBOARD_QUERIES


def test_overdue_means_the_same_on_the_dashboard_the_list_and_the_action(client, world):
    """Only what this curator may verify counts: national and other municipalities' services
    are left out of the count, the list and the action alike."""
    client.force_login(world.curator)
    count = client.get(reverse("admin:services_dashboard")).context["overdue_count"]
    listed = client.get(reverse("admin:services_service_changelist"), {"controle": "overdue"})
    shown = listed.context["cl"].result_count
    assert count == shown == 2  # ours and neighbour; not elsewhere, not national
    ids = [s.pk for s in listed.context["cl"].result_list]
    response = client.post(
        reverse("admin:services_service_changelist") + "?controle=overdue",
        {"action": "mark_verified", "_selected_action": ids},
        follow=True,
    )
    assert "2 diensten gemarkeerd als gecontroleerd" in response.content.decode()
    assert client.get(reverse("admin:services_dashboard")).context["overdue_count"] == 0


def test_dashboard_lists_published_services_waiting_for_contact_details(client, world):
    waiting = make_service(
        "Landelijke lijn", phone="", contact_pending=True, organisation=world.own_org
    )
    make_service("Met telefoon", organisation=world.own_org)
    client.force_login(world.national_curator)
    response = client.get(reverse("admin:services_dashboard"))
    assert response.context["contact_pending_count"] == 1
    assert list(response.context["contact_pending"]) == [waiting]
    assert "1 dienst zonder contactgegevens" in response.content.decode()


def test_a_contact_ends_the_wait_for_contact_details(world):
    service = make_service("Landelijke lijn", phone="", contact_pending=True)
    service.phone = "030 123 45 67"
    service.full_clean()
    assert service.contact_pending is False


def test_a_published_service_without_contact_must_say_that_contact_details_follow(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        make_service("Zonder contact", phone="")
    assert "contactgegevens volgen" in str(raised.value)
