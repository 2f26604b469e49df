"""Who may open the phone desk and the gap report, proven in both directions."""

import pytest
from django.urls import reverse

from services import roles
from tests.factories import make_user

DESK_URLS = [
    ("get", "phonedesk:desk", {}),
    ("post", "phonedesk:search", {}),
    ("post", "phonedesk:note_search", {}),
    ("get", "phonedesk:summary", {}),
    ("post", "phonedesk:summary_email", {}),
    ("get", "phonedesk:finish", {}),
    ("post", "phonedesk:new_call", {}),
]
REPORT_URLS = [
    ("get", "phonedesk:gaps", {}),
    ("get", "phonedesk:gaps_csv", {"slug": "verwijzingen-per-thema"}),
]


def _call(client, method, name, kwargs):
    return getattr(client, method)(reverse(name, kwargs=kwargs))


@pytest.mark.parametrize(("method", "name", "kwargs"), DESK_URLS + REPORT_URLS)
def test_anonymous_visitor_gets_the_login_page(client, db, method, name, kwargs):
    response = _call(client, method, name, kwargs)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("phonedesk:login"))


def test_phone_desk_staff_without_admin_access_can_log_in(client, db):
    make_user("beller-hulp", groups=[roles.PHONE_DESK], is_staff=False)
    page = client.get(reverse("phonedesk:login") + "?next=/telefoon/")
    assert page.status_code == 200
    response = client.post(
        reverse("phonedesk:login") + "?next=/telefoon/",
        {"username": "beller-hulp", "password": "test-password-123", "next": "/telefoon/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("phonedesk:desk")
    assert client.get(reverse("phonedesk:desk")).status_code == 200
    client.post(reverse("phonedesk:logout"))
    assert client.get(reverse("phonedesk:desk")).status_code == 302


@pytest.mark.parametrize("group", [roles.PARTNER, roles.COALITION_COORDINATOR, None])
@pytest.mark.parametrize(("method", "name", "kwargs"), DESK_URLS + REPORT_URLS)
def test_logged_in_user_without_a_desk_role_is_refused(client, db, group, method, name, kwargs):
    client.force_login(make_user(groups=[group] if group else [], is_staff=True))
    assert _call(client, method, name, kwargs).status_code == 403


@pytest.mark.parametrize(
    "group", [roles.PHONE_DESK, roles.CURATOR, roles.NATIONAL_CURATOR, "superuser"]
)
def test_desk_roles_and_superusers_open_the_phone_desk(client, db, group):
    if group == "superuser":
        user = make_user(is_superuser=True, is_staff=True)
    else:
        user = make_user(groups=[group])
    client.force_login(user)
    response = client.get(reverse("phonedesk:desk"))
    assert response.status_code == 200
    assert b'id="pd-q"' in response.content


def test_inactive_desk_user_is_refused(client, db):
    user = make_user(groups=[roles.PHONE_DESK])
    client.force_login(user)
    user.is_active = False
    user.save()
    response = client.get(reverse("phonedesk:desk"))
    assert response.status_code in (302, 403)


@pytest.mark.parametrize("group", [roles.CURATOR, roles.NATIONAL_CURATOR, "superuser"])
@pytest.mark.parametrize(("method", "name", "kwargs"), REPORT_URLS)
def test_curators_open_the_gap_report(client, db, group, method, name, kwargs):
    if group == "superuser":
        user = make_user(is_superuser=True, is_staff=True)
    else:
        user = make_user(groups=[group])
    client.force_login(user)
    assert _call(client, method, name, kwargs).status_code == 200


@pytest.mark.parametrize(("method", "name", "kwargs"), REPORT_URLS)
def test_phone_desk_staff_cannot_open_the_gap_report(client, db, method, name, kwargs):
    client.force_login(make_user(groups=[roles.PHONE_DESK]))
    assert _call(client, method, name, kwargs).status_code == 403


def test_only_curators_see_the_link_to_the_gap_report(client, db):
    client.force_login(make_user(groups=[roles.PHONE_DESK]))
    assert reverse("phonedesk:gaps") not in client.get(reverse("phonedesk:desk")).content.decode()
    client.force_login(make_user(groups=[roles.CURATOR]))
    assert reverse("phonedesk:gaps") in client.get(reverse("phonedesk:desk")).content.decode()


def test_unknown_service_number_is_not_found(client, db):
    client.force_login(make_user(groups=[roles.PHONE_DESK]))
    for pk in (0, 99999, 10**30):
        assert client.get(f"/telefoon/dienst/{pk}/").status_code == 404
