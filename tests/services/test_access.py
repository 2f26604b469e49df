"""The access policy as one table: roles × actions × scopes, checked three ways.

1. The per-object answer (`access.allows`) and the queryset answer (`access.scope`) agree
   with the table, for every role, action and object, in both directions.
2. Over HTTP: the admin's change pages answer 200/403/404 as the table says, and a tampered
   POST by someone the table says "no" stores nothing.
3. The holes found in review (issue 9) are refused, each with what is stored.
"""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from services import access, actions, roles, snapshots
from services.models import Organisation, ProposedChange, Service
from tests.factories import make_municipality, make_organisation, make_service, make_user
from tests.services.curation_fixtures import form_data

pytestmark = pytest.mark.django_db

ROLES = [
    "partner",
    "curator",
    "curator_partner",
    "national_curator",
    "superuser",
    "phone",
    "coordinator",
    "anonymous",
]
SERVICES = ["ours", "neighbour", "elsewhere", "national", "spread"]
ORGANISATIONS = ["own_org", "here_org", "there_org", "national_org", "spread_org"]
EVERYTHING = set(SERVICES)

# The table. Services: ours (the partner's organisation, local in Here), neighbour (another
# organisation, Here), elsewhere (There), national, spread (Here and There: a curator of
# Here alone must not curate it). The curator curates Here; curator_partner curates Here
# and works for there_org.
SERVICE_RULES = {
    "partner": {"view": {"ours"}, "change": {"ours"}, "curate": set(), "delete": set()},
    "curator": {
        "view": {"ours", "neighbour", "national"},
        "change": {"ours", "neighbour"},
        "curate": {"ours", "neighbour"},
        "delete": set(),
    },
    "curator_partner": {
        "view": {"ours", "neighbour", "national", "elsewhere"},
        "change": {"ours", "neighbour", "elsewhere"},
        "curate": {"ours", "neighbour"},
        "delete": set(),
    },
    "national_curator": dict.fromkeys(("view", "change", "curate", "delete"), EVERYTHING),
    "superuser": dict.fromkeys(("view", "change", "curate", "delete"), EVERYTHING),
    "phone": dict.fromkeys(("view", "change", "curate", "delete"), set()),
    "coordinator": dict.fromkeys(("view", "change", "curate", "delete"), set()),
    "anonymous": dict.fromkeys(("view", "change", "curate", "delete"), set()),
}
ALL_ORGANISATIONS = set(ORGANISATIONS)
ORGANISATION_RULES = {
    "partner": {"view": {"own_org"}, "change": set()},
    "curator": {"view": ALL_ORGANISATIONS, "change": {"own_org", "here_org"}},
    "curator_partner": {"view": ALL_ORGANISATIONS, "change": {"own_org", "here_org"}},
    "national_curator": {"view": ALL_ORGANISATIONS, "change": ALL_ORGANISATIONS},
    "superuser": {"view": ALL_ORGANISATIONS, "change": ALL_ORGANISATIONS},
    "phone": {"view": set(), "change": set()},
    "coordinator": {"view": set(), "change": set()},
    "anonymous": {"view": set(), "change": set()},
}
DESK_RULES = {
    "use_desk": {"curator", "curator_partner", "national_curator", "superuser", "phone"},
    "see_gap_report": {"curator", "curator_partner", "national_curator", "superuser"},
}


@pytest.fixture
def world():
    roles.ensure_groups()
    here, there = make_municipality("Hierdorp"), make_municipality("Daarstad")
    orgs = {name: make_organisation(name.replace("_", " ").title()) for name in ORGANISATIONS}
    users = {
        "partner": make_user("partner", groups=[roles.PARTNER], is_staff=True),
        "curator": make_user("curator", groups=[roles.CURATOR], is_staff=True),
        "curator_partner": make_user(
            "curatorpartner", groups=[roles.CURATOR, roles.PARTNER], is_staff=True
        ),
        "national_curator": make_user("landelijk", groups=[roles.NATIONAL_CURATOR], is_staff=True),
        "superuser": make_user("super", is_staff=True, is_superuser=True),
        "phone": make_user("telefoon", groups=[roles.PHONE_DESK], is_staff=True),
        "coordinator": make_user(
            "coordinator", groups=[roles.COALITION_COORDINATOR], is_staff=True
        ),
        "anonymous": AnonymousUser(),
    }
    orgs["own_org"].users.add(users["partner"])
    orgs["there_org"].users.add(users["curator_partner"])
    here.curators.add(users["curator"], users["curator_partner"])
    services = {
        "ours": make_service("Koffie-ochtend", organisation=orgs["own_org"], municipalities=[here]),
        "neighbour": make_service(
            "Wandelclub", organisation=orgs["here_org"], municipalities=[here]
        ),
        "elsewhere": make_service(
            "Schildercursus", organisation=orgs["there_org"], municipalities=[there]
        ),
        "national": make_service("Luisterlijn", organisation=orgs["national_org"]),
        "spread": make_service(
            "Samen koken", organisation=orgs["spread_org"], municipalities=[here, there]
        ),
    }
    return {"here": here, "there": there, "orgs": orgs, "users": users, "services": services}


def fresh(user):
    """The same user without the policy's per-request cache (a new request)."""
    if isinstance(user, AnonymousUser):
        return AnonymousUser()
    return type(user).objects.get(pk=user.pk)


SERVICE_CASES = list(itertools.product(ROLES, ("view", "change", "curate", "delete"), SERVICES))


def test_the_table_covers_every_role_action_and_object():
    assert len(SERVICE_CASES) == 160
    assert set(SERVICE_RULES) == set(ROLES) == set(ORGANISATION_RULES)


def test_queryset_and_object_answers_agree_with_the_table_for_services(world):
    mismatches = []
    for role, action, target in SERVICE_CASES:
        user, service = fresh(world["users"][role]), world["services"][target]
        expected = target in SERVICE_RULES[role][action]
        in_scope = access.scope(user, action, Service.objects.all()).filter(pk=service.pk)
        per_object = (
            access.allows(user, action, service)
            if action in ("curate", "change")
            else in_scope.exists()
        )
        if (in_scope.exists(), per_object) != (expected, expected):
            mismatches.append((role, action, target, in_scope.exists(), per_object, expected))
    assert mismatches == []


def test_queryset_and_object_answers_agree_for_organisations(world):
    mismatches = []
    for role, action, target in itertools.product(ROLES, ("view", "change"), ORGANISATIONS):
        user, organisation = fresh(world["users"][role]), world["orgs"][target]
        expected = target in ORGANISATION_RULES[role][action]
        in_scope = access.scope(user, action, Organisation.objects.all())
        answers = (
            in_scope.filter(pk=organisation.pk).exists(),
            access.allows(user, action, organisation),
        )
        if answers != (expected, expected):
            mismatches.append((role, action, target, answers, expected))
    assert mismatches == []


@pytest.mark.parametrize("role", ROLES)
def test_desk_and_report_follow_the_table(world, role):
    user = fresh(world["users"][role])
    for action, allowed in DESK_RULES.items():
        assert access.allows(user, action) is (role in allowed), action


def _login(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])


@pytest.mark.parametrize(("role", "target"), list(itertools.product(ROLES, SERVICES)))
def test_admin_change_page_answers_as_the_table_says(client, world, role, target):
    _login(client, world, role)
    service = world["services"][target]
    response = client.get(reverse("admin:services_service_change", args=[service.pk]))
    if role == "anonymous":
        assert response.status_code == 302
    elif target in SERVICE_RULES[role]["view"]:
        assert response.status_code == 200
    else:
        # Outside the policy's rows: a 404, like a missing service (no 403 that reveals it).
        assert response.status_code == 404


@pytest.mark.parametrize(("role", "target"), list(itertools.product(ROLES, SERVICES)))
def test_tampered_edit_is_stored_only_as_the_table_allows(client, world, role, target):
    """Everyone posts the same edit; it lands directly, as a proposal, or not at all."""
    service = world["services"][target]
    national = world["users"]["national_curator"]
    client.force_login(national)
    data = form_data(
        client.get(reverse("admin:services_service_change", args=[service.pk])),
        summary="Getypt door iemand anders.",
    )
    client.logout()
    _login(client, world, role)
    client.post(reverse("admin:services_service_change", args=[service.pk]), data)
    stored = Service.objects.get(pk=service.pk).summary
    proposals = ProposedChange.objects.pending().filter(service=service)
    if target in SERVICE_RULES[role]["curate"]:
        assert stored == "Getypt door iemand anders."
    elif target in SERVICE_RULES[role]["change"]:
        assert stored == service.summary
        assert proposals.get().data["fields"]["summary"] == "Getypt door iemand anders."
    else:
        assert stored == service.summary
        assert not proposals.exists()


@pytest.mark.parametrize(("role", "target"), list(itertools.product(ROLES, ORGANISATIONS)))
def test_tampered_organisation_edit_is_stored_only_as_the_table_allows(client, world, role, target):
    organisation = world["orgs"][target]
    url = reverse("admin:services_organisation_change", args=[organisation.pk])
    _login(client, world, role)
    client.post(
        url,
        {
            "name": organisation.name,
            "slug": organisation.slug,
            "website": "https://kwaadwillend.example.org",
            "email": "nep@example.org",
            "domain": organisation.domain,
        },
    )
    organisation.refresh_from_db()
    changed = organisation.website == "https://kwaadwillend.example.org"
    assert changed is (target in ORGANISATION_RULES[role]["change"])


# The holes found in review, each refused --------------------------------------------------


def test_municipal_curator_cannot_change_a_national_provider(client, world):
    client.force_login(world["users"]["curator"])
    national_org = world["orgs"]["national_org"]
    url = reverse("admin:services_organisation_change", args=[national_org.pk])
    assert client.get(url).status_code == 200  # read-only
    response = client.post(url, {"name": "Overgenomen", "website": "https://x.example.org"})
    assert response.status_code == 403
    national_org.refresh_from_db()
    assert national_org.name == "National Org"


def test_organisation_changes_are_recorded(client, world):
    client.force_login(world["users"]["curator"])
    own = world["orgs"]["own_org"]
    url = reverse("admin:services_organisation_change", args=[own.pk])
    data = {"name": own.name, "slug": own.slug, "website": "https://eigen.example.org"}
    data["domain"] = own.domain
    assert client.post(url, data).status_code == 302
    version = own.versions.get()
    assert version.user == world["users"]["curator"]
    assert [row["field"] for row in version.changes] == ["website"]


def test_curator_cannot_publish_in_a_municipality_they_do_not_curate(client, world):
    """Overlap is not enough: Here and There, by a curator of Here alone, is refused."""
    client.force_login(world["users"]["national_curator"])
    ours = world["services"]["ours"]
    url = reverse("admin:services_service_change", args=[ours.pk])
    data = form_data(client.get(url), municipalities=[world["here"].pk, world["there"].pk])
    client.force_login(world["users"]["curator"])
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "helemaal in uw eigen gemeenten" in response.content.decode()
    assert set(ours.municipalities.all()) == {world["here"]}


def test_curator_cannot_import_a_service_into_another_municipality(world):
    from services.curation import csv_io

    rows = [
        {
            "name": "Nieuw overal",
            "organisation": world["orgs"]["here_org"].name,
            "summary": "Een korte samenvatting.",
            "essence": "Wat het is.",
            "status": "published",
            "scope": "local",
            "municipalities": f"{world['here'].name};{world['there'].name}",
            "target_groups": "",
            "out_of_home": "ja",
            "phone": "030 123 45 67",
        }
    ]
    checked = csv_io.check_rows(rows, list(rows[0]), fresh(world["users"]["curator"]))
    assert checked[0].errors
    assert not Service.objects.filter(name="Nieuw overal").exists()


def test_curator_cannot_approve_a_proposal_that_makes_a_service_national(client, world):
    ours = world["services"]["ours"]
    before = snapshots.snapshot(ours)
    data = snapshots.snapshot(ours)
    data["fields"]["scope"] = Service.Scope.NATIONAL
    data["m2m"]["municipalities"] = []
    proposal = actions.service_propose_change(
        service=ours, data=data, user=world["users"]["partner"], base=before
    )
    client.force_login(world["users"]["curator"])
    url = reverse("admin:services_proposedchange_change", args=[proposal.pk])
    response = client.post(url, {"approve": "1", "reason": ""})
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.state == ProposedChange.State.PENDING
    assert Service.objects.get(pk=ours.pk).scope == Service.Scope.LOCAL
    client.force_login(world["users"]["national_curator"])
    assert client.post(url, {"approve": "1", "reason": ""}).status_code == 302
    assert Service.objects.get(pk=ours.pk).scope == Service.Scope.NATIONAL


def test_curator_cannot_restore_a_version_outside_their_scope(world):
    ours = world["services"]["ours"]
    national = world["users"]["national_curator"]
    before = snapshots.snapshot(ours)
    ours.scope = Service.Scope.NATIONAL
    ours.save()
    ours.municipalities.clear()
    old = actions.version_record(service=ours, user=national, source="admin", before=before)
    ours.scope = Service.Scope.LOCAL
    ours.save()
    ours.municipalities.set([world["here"]])
    actions.version_record(service=ours, user=national, source="admin")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.version_restore(version=old, user=fresh(world["users"]["curator"]))
    assert Service.objects.get(pk=ours.pk).scope == Service.Scope.LOCAL


def test_curator_partner_adds_a_service_elsewhere_only_for_review(client, world):
    user = world["users"]["curator_partner"]
    client.force_login(world["users"]["national_curator"])
    template = form_data(client.get(reverse("admin:services_service_add")))
    client.force_login(user)
    data = {
        **template,
        "organisation": world["orgs"]["there_org"].pk,
        "name": "Buiten mijn gemeente",
        "slug": "buiten-mijn-gemeente",
        "summary": "Een korte samenvatting.",
        "essence": "Wat het is.",
        "status": "published",
        "scope": "local",
        "municipalities": [world["there"].pk],
        "target_groups": [],
        "out_of_home": "on",
        "phone": "030 123 45 67",
    }
    client.post(reverse("admin:services_service_add"), data)
    added = Service.objects.get(name="Buiten mijn gemeente")
    assert added.status == Service.Status.IN_REVIEW


def test_view_on_site_reveals_only_public_objects_the_user_may_see(client, world):
    content_type = ContentType.objects.get_for_model(Service)
    draft = make_service(
        "Nog geheim",
        organisation=world["orgs"]["here_org"],
        municipalities=[world["here"]],
        status=Service.Status.DRAFT,
    )

    def go(role, service):
        client.force_login(world["users"][role])
        return client.get(f"/beheer/r/{content_type.pk}/{service.pk}/").status_code

    assert go("partner", world["services"]["ours"]) == 302
    assert go("partner", world["services"]["neighbour"]) == 404
    assert go("curator", draft) == 404
    assert go("national_curator", draft) == 404
    assert go("national_curator", world["services"]["elsewhere"]) == 302


def test_a_partners_second_edit_keeps_the_first(client, world):
    ours = world["services"]["ours"]
    url = reverse("admin:services_service_change", args=[ours.pk])
    client.force_login(world["users"]["partner"])
    first = form_data(client.get(url), cost="paid", cost_amount="12,50", cost_unit="per_time")
    assert client.post(url, first).status_code == 302
    page = client.get(url)
    assert page.context["adminform"].form["cost_amount"].value() in ("12,50", "12.50")
    assert "Er wacht een wijziging op goedkeuring" in page.content.decode()
    second = form_data(page, alert="In december gesloten.")
    assert client.post(url, second).status_code == 302
    proposal = ProposedChange.objects.pending().get(service=ours)
    assert proposal.data["fields"]["cost"] == "paid"
    assert proposal.data["fields"]["cost_amount"] == "12.50"
    assert proposal.data["fields"]["alert"] == "In december gesloten."
    live = Service.objects.get(pk=ours.pk)
    assert (live.cost, live.alert) == (Service.Cost.FREE, "")


def test_the_rejection_reason_is_shown_in_the_admin(client, world):
    ours = world["services"]["ours"]
    data = snapshots.snapshot(ours)
    data["fields"]["summary"] = "Nieuwe zin."
    proposal = actions.service_propose_change(
        service=ours, data=data, user=world["users"]["partner"]
    )
    actions.proposal_reject(
        proposal=proposal, user=world["users"]["curator"], reason="Noem ook de tijden."
    )
    client.force_login(world["users"]["partner"])
    page = client.get(reverse("admin:services_service_change", args=[ours.pk])).content.decode()
    assert "Noem ook de tijden." in page
