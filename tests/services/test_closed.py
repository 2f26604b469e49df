"""Temporarily closed services stay public: a notice instead of a 404, listed after open ones."""

import pytest
from django.urls import reverse

from phonedesk.caller import CallerContext
from phonedesk.lookup import find_services
from services.models import Service
from tests.factories import make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed():
    make_service("Aaa open koor", summary="Samen zingen in het buurthuis.")
    return make_service(
        "Aaa gesloten koor",
        summary="Samen zingen in de kerk.",
        status=Service.Status.TEMPORARILY_CLOSED,
        alert="Tot 1 maart geen repetities.",
    )


def test_the_page_of_a_closed_service_answers_with_a_notice(client, closed):
    response = client.get(closed.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tijdelijk gesloten." in page
    assert "Tot 1 maart geen repetities." in page


def test_a_closed_service_is_found_by_name_and_listed_after_open_ones(client, closed):
    response = client.get(reverse("services:list"), {"q": "koor"})
    names = [service.name for service in response.context["object_list"]]
    assert names == ["Aaa open koor", "Aaa gesloten koor"]
    response = client.get(reverse("services:list"))
    names = [service.name for service in response.context["object_list"]]
    assert names[-1] == "Aaa gesloten koor"


def test_the_phone_desk_finds_and_marks_a_closed_service(closed):
    found, _more = find_services(CallerContext(municipality_id=None), "koor")
    assert [s.name for s in found] == ["Aaa open koor", "Aaa gesloten koor"]


def test_archived_and_draft_services_stay_hidden(client, closed):
    archived = make_service("Oud koor", status=Service.Status.ARCHIVED)
    assert client.get(archived.get_absolute_url()).status_code == 404
