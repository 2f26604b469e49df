"""Who may edit which coalition, proven in both directions (editable_by and every admin hook)."""

import pytest
from django.urls import reverse

from coalitions.models import Coalition, Goal, Indicator, LonelinessFigure
from services import roles
from tests.factories import make_municipality, make_organisation, make_user

from .factories import make_coalition, make_figure, make_goal, make_indicator, make_membership

pytestmark = pytest.mark.django_db


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def world():
    here = make_municipality("Hierdorp")
    there = make_municipality("Daarstad")
    coordinator = make_user("coordinator", is_staff=True)
    # A curator is in the curators' group and listed for the municipality (services.access).
    curator = make_user("curator", is_staff=True, groups=[roles.CURATOR])
    here.curators.add(curator)
    own = make_coalition("Eigen coalitie", municipality=here, coordinators=[coordinator])
    neighbour = make_coalition("Buurcoalitie", municipality=here)
    elsewhere = make_coalition("Elders", municipality=there)
    return {
        "here": here,
        "there": there,
        "coordinator": coordinator,
        "curator": curator,
        "own": own,
        "neighbour": neighbour,
        "elsewhere": elsewhere,
    }


def test_editable_by_coordinator_is_only_their_own_coalition(world):
    assert set(Coalition.objects.editable_by(world["coordinator"])) == {world["own"]}


def test_editable_by_curator_is_every_coalition_of_their_municipality(world):
    assert set(Coalition.objects.editable_by(world["curator"])) == {
        world["own"],
        world["neighbour"],
    }


def test_editable_by_superuser_is_everything_and_nobody_else_gets_anything(world):
    superuser = make_user(is_staff=True, is_superuser=True)
    assert Coalition.objects.editable_by(superuser).count() == 3
    assert not Coalition.objects.editable_by(make_user(is_staff=True)).exists()
    from django.contrib.auth.models import AnonymousUser

    assert not Coalition.objects.editable_by(AnonymousUser()).exists()
    world["coordinator"].is_active = False
    assert not Coalition.objects.editable_by(world["coordinator"]).exists()


def test_coordinator_can_open_own_coalition_and_its_goals(client, world):
    goal = make_goal(world["own"])
    indicator = make_indicator(goal)
    client.force_login(world["coordinator"])
    for obj in (world["own"], goal, indicator):
        assert client.get(change_url(obj)).status_code == 200


def test_another_coalition_is_a_404_like_a_missing_one(client, world):
    foreign_goal = make_goal(world["neighbour"])
    client.force_login(world["coordinator"])

    assert client.get(change_url(world["neighbour"])).status_code == 404
    assert client.get(change_url(world["elsewhere"])).status_code == 404
    assert client.get(change_url(foreign_goal)).status_code == 404
    missing = reverse("admin:coalitions_coalition_change", args=[999999])
    assert client.get(missing).status_code == 404
    delete = reverse("admin:coalitions_coalition_delete", args=[world["neighbour"].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 404
    assert Coalition.objects.filter(pk=world["neighbour"].pk).exists()


def test_changelists_show_only_editable_rows(client, world):
    make_goal(world["own"], title="Eigen doel")
    make_goal(world["elsewhere"], title="Ander doel")
    client.force_login(world["coordinator"])

    html = client.get(changelist_url(Coalition)).content.decode()
    assert "Eigen coalitie" in html
    assert "Buurcoalitie" not in html and "Elders" not in html

    html = client.get(changelist_url(Goal)).content.decode()
    assert "Eigen doel" in html and "Ander doel" not in html


def test_curator_edits_all_of_their_municipality_but_not_others(client, world):
    client.force_login(world["curator"])
    assert client.get(change_url(world["own"])).status_code == 200
    assert client.get(change_url(world["neighbour"])).status_code == 200
    assert client.get(change_url(world["elsewhere"])).status_code == 404


def test_staff_without_a_coalition_sees_nothing(client, world):
    client.force_login(make_user(is_staff=True))
    assert client.get(changelist_url(Coalition)).status_code == 403
    # The list is closed to them (403); one coalition is a 404, like a missing one.
    assert client.get(change_url(world["own"])).status_code == 404
    assert "Coalities" not in client.get(reverse("admin:index")).content.decode()


def test_foreign_key_choices_only_offer_editable_coalitions(client, world):
    client.force_login(world["coordinator"])
    response = client.get(reverse("admin:coalitions_goal_add"))
    choices = list(response.context["adminform"].form.fields["coalition"].queryset)
    assert choices == [world["own"]]


def test_coordinator_cannot_add_coalitions_or_hand_out_access(client, world):
    client.force_login(world["coordinator"])
    assert client.get(reverse("admin:coalitions_coalition_add")).status_code == 403
    response = client.get(change_url(world["own"]))
    form = response.context["adminform"].form
    assert "coordinators" not in form.fields
    assert "municipality" not in form.fields


def test_curator_may_add_coalitions_only_in_their_municipality(client, world):
    client.force_login(world["curator"])
    response = client.get(reverse("admin:coalitions_coalition_add"))
    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields["municipality"].queryset) == [
        world["here"]
    ]


def test_figures_are_kept_by_curators_of_the_municipality(client, world):
    own = make_figure(world["here"], 2022, "40", "9")
    other = make_figure(world["there"], 2022, "41", "9")
    national = make_figure(None, 2016, "43", "10")
    assert set(LonelinessFigure.objects.editable_by(world["curator"])) == {own}

    client.force_login(world["curator"])
    assert client.get(change_url(own)).status_code == 200
    assert client.get(change_url(other)).status_code == 404
    assert client.get(change_url(national)).status_code == 404

    client.force_login(world["coordinator"])
    assert client.get(change_url(own)).status_code == 404


def test_membership_choices_in_commitments_are_of_the_goals_coalition(client, world):
    goal = make_goal(world["own"])
    own_member = make_membership(world["own"], make_organisation("Eigen lid"))
    make_membership(world["neighbour"], make_organisation("Buurlid"))
    client.force_login(world["curator"])

    response = client.get(change_url(goal))

    formset = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "commitments"
    )
    assert list(formset.formset.form.base_fields["membership"].queryset) == [own_member]
    assert Indicator.objects.count() == 0
