"""The permission matrix of the services admin, each rule in both directions.

Roles: partner (own organisation), municipal curator (local services of Hierdorp), national
curator (everything), phone desk (no admin editing). Someone else's object answers 404,
exactly like a missing one.
"""

import pytest
from django.urls import reverse

from services.models import ProposedChange, Service
from tests.services.curation_fixtures import build_world, change_url, form_data, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def as_user(client, user):
    client.force_login(user)
    return client


def changelist():
    return reverse("admin:services_service_changelist")


# Which services each role sees in the admin and may change (view, change).
VIEW_MATRIX = {
    "partner": {
        "ours": (200, True),
        "neighbour": (404, False),
        "elsewhere": (404, False),
        "national": (404, False),
    },
    "curator": {
        "ours": (200, True),
        "neighbour": (200, True),
        "elsewhere": (404, False),
        "national": (200, False),
    },
    "national_curator": {
        "ours": (200, True),
        "neighbour": (200, True),
        "elsewhere": (200, True),
        "national": (200, True),
    },
    "phone": {
        "ours": (404, False),
        "neighbour": (404, False),
        "elsewhere": (404, False),
        "national": (404, False),
    },
}


@pytest.mark.parametrize("role", VIEW_MATRIX)
def test_changelist_shows_exactly_the_services_in_scope(client, world, role):
    response = as_user(client, getattr(world, role)).get(changelist())
    if role == "phone":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = {s.name for s in response.context["cl"].result_list}
    expected = {
        getattr(world, key).name
        for key, (status, _change) in VIEW_MATRIX[role].items()
        if status == 200
    }
    assert shown == expected


@pytest.mark.parametrize(
    ("role", "target"),
    [(role, target) for role, row in VIEW_MATRIX.items() for target in row],
)
def test_change_page_answers_per_scope(client, world, role, target):
    expected_status, may_change = VIEW_MATRIX[role][target]
    response = as_user(client, getattr(world, role)).get(change_url(getattr(world, target)))
    assert response.status_code == expected_status
    if expected_status == 200:
        assert response.context["has_change_permission"] is may_change


def test_someone_elses_service_is_a_404_like_a_missing_one(client, world):
    as_user(client, world.partner)
    missing = client.get(reverse("admin:services_service_change", args=[999999]))
    foreign = client.get(change_url(world.neighbour))
    assert missing.status_code == foreign.status_code == 404
    for name in ("history", "delete"):
        url = reverse(f"admin:services_service_{name}", args=[world.neighbour.pk])
        assert client.get(url).status_code == 404


def test_partner_cannot_post_a_change_to_another_organisations_service(client, world):
    as_user(client, world.curator)
    data = form_data(client.get(change_url(world.neighbour)), summary="Gekaapt")
    as_user(client, world.partner)
    response = client.post(change_url(world.neighbour), data)
    assert response.status_code == 404
    assert reload(world.neighbour).summary != "Gekaapt"
    assert not ProposedChange.objects.exists()


def test_partner_cannot_move_own_service_to_another_organisation(client, world):
    as_user(client, world.partner)
    data = form_data(client.get(change_url(world.ours)), organisation=world.other_org.pk)
    response = client.post(change_url(world.ours), data)
    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    assert reload(world.ours).organisation == world.own_org
    assert not ProposedChange.objects.exists()


def test_partner_adds_a_service_for_own_organisation_into_review(client, world):
    as_user(client, world.partner)
    add = reverse("admin:services_service_add")
    data = form_data(
        client.get(add),
        organisation=world.own_org.pk,
        name="Samen eten",
        slug="samen-eten",
        scope=Service.Scope.LOCAL,
        municipalities=[world.there.pk],
        out_of_home="on",
    )
    response = client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    service = Service.objects.get(name="Samen eten")
    assert service.status == Service.Status.IN_REVIEW
    assert service.proposed_changes.pending().get().kind == ProposedChange.Kind.NEW


def test_partner_cannot_add_a_service_for_another_organisation(client, world):
    as_user(client, world.partner)
    add = reverse("admin:services_service_add")
    data = form_data(
        client.get(add),
        organisation=world.other_org.pk,
        name="Niet van mij",
        slug="niet-van-mij",
        scope=Service.Scope.NATIONAL,
        out_of_home="on",
    )
    response = client.post(add, data)
    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    assert not Service.objects.filter(name="Niet van mij").exists()


def test_partner_cannot_publish_through_a_tampered_status(client, world):
    draft = Service.objects.create(
        organisation=world.own_org,
        name="Concept",
        status=Service.Status.DRAFT,
        scope=Service.Scope.NATIONAL,
        out_of_home=True,
    )
    as_user(client, world.partner)
    data = form_data(client.get(change_url(draft)), status=Service.Status.PUBLISHED)
    assert client.post(change_url(draft), data).status_code == 302
    assert reload(draft).status == Service.Status.IN_REVIEW


def test_curator_cannot_add_a_service_outside_own_municipality(client, world):
    as_user(client, world.curator)
    add = reverse("admin:services_service_add")
    data = form_data(
        client.get(add),
        organisation=world.other_org.pk,
        name="Daar",
        slug="daar",
        scope=Service.Scope.LOCAL,
        municipalities=[world.there.pk],
        out_of_home="on",
    )
    response = client.post(add, data)
    assert response.status_code == 200
    assert "municipalities" in response.context["adminform"].form.errors
    assert not Service.objects.filter(name="Daar").exists()


def test_curator_adds_a_service_in_own_municipality(client, world):
    as_user(client, world.curator)
    add = reverse("admin:services_service_add")
    data = form_data(
        client.get(add),
        organisation=world.other_org.pk,
        name="Hier",
        slug="hier",
        scope=Service.Scope.LOCAL,
        municipalities=[world.here.pk],
        out_of_home="on",
        status=Service.Status.DRAFT,
    )
    assert client.post(add, data).status_code == 302
    assert Service.objects.filter(name="Hier", status=Service.Status.DRAFT).exists()


def test_curator_sees_national_services_read_only(client, world):
    as_user(client, world.national_curator)
    data = form_data(client.get(change_url(world.national)), summary="Door gemeente")
    as_user(client, world.curator)
    assert client.post(change_url(world.national), data).status_code == 403
    assert reload(world.national).summary != "Door gemeente"


def test_curator_edits_local_service_directly(client, world):
    as_user(client, world.curator)
    data = form_data(client.get(change_url(world.neighbour)), summary="Nieuw van de gemeente")
    assert client.post(change_url(world.neighbour), data).status_code == 302
    assert reload(world.neighbour).summary == "Nieuw van de gemeente"


def test_national_curator_edits_everything(client, world):
    as_user(client, world.national_curator)
    for service in (world.elsewhere, world.national):
        data = form_data(client.get(change_url(service)), summary="Landelijk bijgewerkt")
        assert client.post(change_url(service), data).status_code == 302
        assert reload(service).summary == "Landelijk bijgewerkt"


@pytest.mark.parametrize(
    ("role", "status"),
    [("partner", 403), ("curator", 403), ("national_curator", 200), ("phone", 404)],
)
def test_only_national_curators_delete(client, world, role, status):
    url = reverse("admin:services_service_delete", args=[world.ours.pk])
    assert as_user(client, getattr(world, role)).get(url).status_code == status


@pytest.mark.parametrize(
    ("role", "action", "changed"),
    [
        ("partner", "publish", False),
        ("partner", "mark_verified", False),
        ("partner", "archive", False),
        ("curator", "publish", True),
        ("curator", "mark_verified", True),
        ("national_curator", "publish", True),
        ("national_curator", "mark_verified", True),
    ],
)
def test_bulk_actions_per_role(client, world, role, action, changed):
    service = world.ours
    Service.objects.filter(pk=service.pk).update(status=Service.Status.DRAFT)
    as_user(client, getattr(world, role))
    client.post(changelist(), {"action": action, "_selected_action": [service.pk], "index": 0})
    after = reload(service)
    done = after.status == Service.Status.PUBLISHED or after.verified_at is not None
    assert done is changed


def test_curator_bulk_action_skips_national_services(client, world):
    as_user(client, world.curator)
    client.post(
        changelist(),
        {
            "action": "mark_verified",
            "_selected_action": [world.national.pk, world.neighbour.pk],
            "index": 0,
        },
    )
    assert reload(world.national).verified_at is None
    assert reload(world.neighbour).verified_at is not None


def test_partner_has_no_curator_actions(client, world):
    response = as_user(client, world.partner).get(changelist())
    action_form = response.context["action_form"]
    offered = (
        {choice[0] for choice in action_form.fields["action"].choices} if action_form else set()
    )
    assert not offered & {"publish", "archive", "mark_verified", "start_campaign"}
    curator_page = as_user(client, world.curator).get(changelist())
    curator_offers = {c[0] for c in curator_page.context["action_form"].fields["action"].choices}
    assert {"publish", "archive", "mark_verified", "start_campaign"} <= curator_offers


@pytest.mark.parametrize(
    ("role", "status"),
    [("partner", 403), ("phone", 403), ("curator", 200), ("national_curator", 200)],
)
def test_import_and_dashboard_are_for_curators(client, world, role, status):
    as_user(client, getattr(world, role))
    assert client.get(reverse("admin:services_service_import")).status_code == status
    assert client.get(reverse("admin:services_dashboard")).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("partner", 403), ("phone", 403), ("curator", 200), ("national_curator", 200)],
)
def test_review_queue_is_for_curators(client, world, role, status):
    url = reverse("admin:services_proposedchange_changelist")
    assert as_user(client, getattr(world, role)).get(url).status_code == status


@pytest.mark.parametrize(
    ("role", "target", "status"),
    [
        ("curator", "neighbour", 200),
        ("curator", "elsewhere", 404),
        ("curator", "national", 404),
        ("national_curator", "elsewhere", 200),
        ("partner", "ours", 404),
    ],
)
def test_reviewing_a_proposal_follows_curation_scope(client, world, role, target, status):
    proposal = ProposedChange.objects.create(
        service=getattr(world, target), kind=ProposedChange.Kind.NEW
    )
    url = reverse("admin:services_proposedchange_change", args=[proposal.pk])
    assert as_user(client, getattr(world, role)).get(url).status_code == status


def test_curator_cannot_approve_by_posting_to_another_municipalitys_proposal(client, world):
    proposal = ProposedChange.objects.create(service=world.elsewhere, kind=ProposedChange.Kind.NEW)
    url = reverse("admin:services_proposedchange_change", args=[proposal.pk])
    response = as_user(client, world.curator).post(url, {"approve": "1"})
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == ProposedChange.State.PENDING


@pytest.mark.parametrize(
    ("role", "status"),
    [("partner", 200), ("curator", 200), ("national_curator", 200), ("phone", 403)],
)
def test_locations_follow_the_service_scope(client, world, role, status):
    from services.models import Location

    mine = Location.objects.create(service=world.ours, name="Buurthuis")
    theirs = Location.objects.create(service=world.elsewhere, name="Elders")
    as_user(client, getattr(world, role))
    url = reverse("admin:services_location_change", args=[mine.pk])
    assert client.get(url).status_code == (status if role != "phone" else 404)
    other = client.get(reverse("admin:services_location_change", args=[theirs.pk]))
    assert other.status_code == (200 if role == "national_curator" else 404)


def test_partner_cannot_attach_a_location_to_another_organisations_service(client, world):
    from services.models import Location

    as_user(client, world.partner)
    add = reverse("admin:services_location_add")
    data = form_data(client.get(add), service=world.neighbour.pk, name="Stiekem")
    response = client.post(add, data)
    assert response.status_code == 200
    assert "service" in response.context["adminform"].form.errors
    assert not Location.objects.filter(name="Stiekem").exists()


def test_phone_desk_has_no_admin_editing(client, world):
    as_user(client, world.phone)
    assert client.get(changelist()).status_code == 403
    assert client.get(reverse("admin:services_service_add")).status_code == 403
    assert client.get(change_url(world.ours)).status_code == 404


def test_bad_input_is_a_form_error_not_a_500(client, world):
    as_user(client, world.curator)
    data = form_data(
        client.get(change_url(world.neighbour)),
        name="Naam\x00met nul",
        summary="x" * 5000,
        cost="gratis-misschien",
        essence="<script>alert(1)</script>",
    )
    response = client.post(change_url(world.neighbour), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"name", "summary", "cost"} <= set(errors)
    assert response.context["adminform"].form["essence"].value() == "<script>alert(1)</script>"


def test_partner_cannot_publish_through_a_change_form_action(client, world):
    Service.objects.filter(pk=world.ours.pk).update(status=Service.Status.DRAFT)
    as_user(client, world.partner)
    client.post(
        change_url(world.ours),
        {"CHANGE_FORM-action": "publish", "_selected_action": [world.ours.pk]},
    )
    assert reload(world.ours).status == Service.Status.DRAFT


def test_curator_archives_from_the_change_form(client, world):
    as_user(client, world.curator)
    response = client.post(
        change_url(world.neighbour),
        {"CHANGE_FORM-action": "archive", "_selected_action": [world.neighbour.pk]},
    )
    assert response.status_code == 302
    assert reload(world.neighbour).status == Service.Status.ARCHIVED


def test_only_national_curators_link_people_to_an_organisation(client, world):
    url = reverse("admin:services_organisation_change", args=[world.other_org.pk])
    as_user(client, world.curator)
    data = form_data(client.get(url), users=[world.curator.pk])
    client.post(url, data)
    assert not world.other_org.users.filter(pk=world.curator.pk).exists()
    as_user(client, world.national_curator)
    data = form_data(client.get(url), users=[world.partner.pk])
    assert client.post(url, data).status_code == 302
    assert world.other_org.users.filter(pk=world.partner.pk).exists()


def test_partner_cannot_open_organisations_or_taxonomies(client, world):
    as_user(client, world.partner)
    for name in ("organisation", "targetgroup", "municipality"):
        assert client.get(reverse(f"admin:services_{name}_changelist")).status_code == 403


def test_municipal_curator_reads_but_does_not_change_taxonomies(client, world):
    group = world.ours.target_groups.get()
    url = reverse("admin:services_targetgroup_change", args=[group.pk])
    as_user(client, world.curator)
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Anders", "slug": "anders", "position": 0}).status_code == 403
    as_user(client, world.national_curator)
    response = client.post(url, {"name": "Anders", "slug": "anders", "position": 0})
    assert response.status_code == 302


def test_phone_desk_posts_are_refused_too(client, world):
    as_user(client, world.curator)
    data = form_data(client.get(change_url(world.neighbour)), summary="Via de telefoon")
    as_user(client, world.phone)
    assert client.post(change_url(world.neighbour), data).status_code == 404
    action = {"action": "publish", "_selected_action": [world.neighbour.pk], "index": 0}
    assert client.post(changelist(), action).status_code == 403
    assert client.post(reverse("admin:services_service_add"), data).status_code == 403
    assert reload(world.neighbour).summary != "Via de telefoon"
