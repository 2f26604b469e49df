"""Hostile and wrong input in the admin forms: always a clear form error, never a 500."""

import pytest
from django.urls import reverse

from coalitions.models import PILLARS, Coalition, Indicator, Measurement
from services import roles
from tests.factories import make_municipality, make_organisation, make_service, make_user

from .factories import (
    make_coalition,
    make_goal,
    make_indicator,
    make_membership,
)

pytestmark = pytest.mark.django_db


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def coalition_data(coalition, **overrides):
    data = {
        "municipality": str(coalition.municipality_id),
        "name": coalition.name,
        "slug": coalition.slug,
        "description": "",
        "lead_organisation": "",
        "start_date": "",
        "step": "1",
        "is_published": "on",
        **management("memberships"),
        **management("goals"),
    }
    for key, _label, _help in PILLARS:
        data[f"{key}_status"] = "not_started"
        data[f"{key}_note"] = ""
    data.update(overrides)
    return data


@pytest.fixture
def curator():
    return make_user(is_staff=True, groups=[roles.CURATOR])


@pytest.fixture
def coalition(curator):
    municipality = make_municipality()
    municipality.curators.add(curator)
    return make_coalition("Origineel", municipality=municipality)


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def post(client, user, obj, data):
    client.force_login(user)
    response = client.post(change_url(obj), data)
    return response


def errors_of(response):
    """All error messages on an admin change form (main form and inline formsets)."""
    assert response.status_code == 200, response.status_code
    messages = []
    form = response.context["adminform"].form
    for field_errors in form.errors.values():
        messages.extend(field_errors)
    for inline in response.context["inline_admin_formsets"]:
        for form_errors in inline.formset.errors:
            for field_errors in form_errors.values():
                messages.extend(field_errors)
        messages.extend(inline.formset.non_form_errors())
    return messages


def test_a_valid_change_is_saved(client, curator, coalition):
    response = post(client, curator, coalition, coalition_data(coalition, name="Nieuwe naam"))
    assert response.status_code == 302
    coalition.refresh_from_db()
    assert coalition.name == "Nieuwe naam"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name", "Naam met \x00 nul", "Null"),
        ("name", "x" * 10_000, "niet meer dan 200"),
        ("description", "y" * 100_000, "niet meer dan 3000"),
        ("step", "99", "geen beschikbare keuze"),
        ("step", "drie", "geen beschikbare keuze"),
        ("network_status", "bijna", "geen beschikbare keuze"),
        ("commitment_note", "\x07bel", "onzichtbare tekens"),
        ("start_date", "99999-01-01", "geldige datum"),
        ("start_date", "2999-01-01", "toekomst"),
        ("start_date", "1066-10-14", "te ver in het verleden"),
        ("municipality", "999999", "niet beschikbaar"),
        ("lead_organisation", "'; DROP TABLE x; --", "niet beschikbaar"),
        ("slug", "<script>", "slug"),
    ],
)
def test_hostile_coalition_input_is_a_form_error(
    client, curator, coalition, field, value, expected
):
    response = post(client, curator, coalition, coalition_data(coalition, **{field: value}))

    messages = " ".join(str(message) for message in errors_of(response))
    assert expected.lower() in messages.lower()
    coalition.refresh_from_db()
    assert coalition.name == "Origineel"


def test_markup_is_stored_as_text_and_escaped_on_the_page(client, curator, coalition):
    markup = '<img src=x onerror="alert(1)">'
    response = post(client, curator, coalition, coalition_data(coalition, description=markup))
    assert response.status_code == 302
    client.logout()
    html = client.get(coalition.get_absolute_url()).content.decode()
    assert markup not in html
    assert "&lt;img" in html


def test_unknown_member_domain_and_role_are_form_errors(client, curator, coalition):
    organisation = make_organisation()
    data = coalition_data(
        coalition,
        **management("memberships", total=1),
        **{
            "memberships-0-organisation": str(organisation.pk),
            "memberships-0-domain": "aliens",
            "memberships-0-role": "king",
            "memberships-0-since": "",
        },
    )
    messages = errors_of(post(client, curator, coalition, data))
    assert len(messages) == 2
    assert coalition.memberships.count() == 0


def goal_data(goal, **overrides):
    data = {
        "coalition": str(goal.coalition_id),
        "title": goal.title,
        "description": "",
        "target_date": "",
        "position": "0",
        **management("indicators"),
        **management("commitments"),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"unit": "furlongs"}, "geen beschikbare keuze"),
        ({"direction": "sideways"}, "geen beschikbare keuze"),
        ({"baseline": "NaN"}, "getal"),
        ({"baseline": "1e400"}, ""),
        ({"baseline": "12345678901234567890"}, "cijfers"),
        ({"baseline": "140"}, "tussen 0 en 100"),
        ({"target": "50"}, "lager is beter"),
        ({"name": "\x00"}, "Null"),
    ],
)
def test_hostile_indicator_input_is_a_form_error(client, curator, coalition, values, expected):
    goal = make_goal(coalition)
    row = {
        "name": "Eenzame ouderen",
        "unit": "percent",
        "direction": "lower",
        "baseline": "40",
        "target": "30",
        **values,
    }
    data = goal_data(
        goal,
        **management("indicators", total=1),
        **{f"indicators-0-{key}": value for key, value in row.items()},
    )
    messages = " ".join(str(m) for m in errors_of(post(client, curator, goal, data)))
    assert messages
    assert expected.lower() in messages.lower()
    assert Indicator.objects.count() == 0


def test_commitment_with_another_members_service_is_refused(client, curator, coalition):
    goal = make_goal(coalition)
    member = make_membership(coalition)
    others = make_service(organisation=make_organisation())
    data = goal_data(
        goal,
        **management("commitments", total=1),
        **{
            "commitments-0-membership": str(member.pk),
            "commitments-0-description": "Helpt mee",
            "commitments-0-services": [str(others.pk)],
        },
    )
    messages = " ".join(str(m) for m in errors_of(post(client, curator, goal, data)))
    assert "geen beschikbare keuze" in messages or "niet van" in messages
    assert goal.commitments.count() == 0


def test_commitment_with_the_members_own_service_is_saved(client, curator, coalition):
    goal = make_goal(coalition)
    member = make_membership(coalition)
    own = make_service(organisation=member.organisation)
    data = goal_data(
        goal,
        **management("commitments", total=1),
        **{
            "commitments-0-membership": str(member.pk),
            "commitments-0-description": "Helpt mee",
            "commitments-0-services": [str(own.pk)],
        },
    )
    assert post(client, curator, goal, data).status_code == 302
    assert list(goal.commitments.get().services.all()) == [own]


def test_service_of_another_member_of_the_same_coalition_is_refused(client, curator, coalition):
    goal = make_goal(coalition)
    member = make_membership(coalition)
    other_member = make_membership(coalition)
    theirs = make_service(organisation=other_member.organisation)
    data = goal_data(
        goal,
        **management("commitments", total=1),
        **{
            "commitments-0-membership": str(member.pk),
            "commitments-0-description": "Helpt mee",
            "commitments-0-services": [str(theirs.pk)],
        },
    )
    messages = " ".join(str(m) for m in errors_of(post(client, curator, goal, data)))
    assert "niet van" in messages


def indicator_data(indicator, rows):
    data = {
        "goal": str(indicator.goal_id),
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "baseline": str(indicator.baseline),
        "target": str(indicator.target),
        **management("measurements", total=len(rows)),
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"measurements-{index}-{key}"] = value
    return data


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"date": "2024-01-01", "value": "30", "unit": "people"}, "past niet bij"),
        ({"date": "2024-01-01", "value": "30", "unit": "parsecs"}, "geen beschikbare keuze"),
        ({"date": "2999-01-01", "value": "30", "unit": ""}, "toekomst"),
        ({"date": "0001-01-01", "value": "30", "unit": ""}, "verleden"),
        ({"date": "gisteren", "value": "30", "unit": ""}, "geldige datum"),
        ({"date": "2024-01-01", "value": "101", "unit": ""}, "tussen 0 en 100"),
        ({"date": "2024-01-01", "value": "<b>3</b>", "unit": ""}, "getal"),
        ({"date": "2024-01-01", "value": "30", "unit": "", "source": "a\x00b"}, "Null"),
    ],
)
def test_hostile_measurement_input_is_a_form_error(client, curator, coalition, row, expected):
    indicator = make_indicator(make_goal(coalition))
    response = post(client, curator, indicator, indicator_data(indicator, [row]))
    messages = " ".join(str(m) for m in errors_of(response))
    assert expected.lower() in messages.lower()
    assert Measurement.objects.count() == 0


def test_measurement_without_unit_takes_the_indicators_unit(client, curator, coalition):
    indicator = make_indicator(make_goal(coalition))
    row = {"date": "2024-01-01", "value": "35", "unit": "", "source": "Peiling"}
    assert post(client, curator, indicator, indicator_data(indicator, [row])).status_code == 302
    assert indicator.measurements.get().unit == Indicator.Unit.PERCENT


def test_coordinator_cannot_post_a_goal_into_another_coalition(client, coalition):
    coordinator = make_user(is_staff=True)
    own = make_coalition(coordinators=[coordinator])
    goal = make_goal(own)
    data = goal_data(goal, coalition=str(coalition.pk))
    messages = " ".join(str(m) for m in errors_of(post(client, coordinator, goal, data)))
    assert "niet beschikbaar" in messages
    goal.refresh_from_db()
    assert goal.coalition == own
    assert Coalition.objects.count() == 2
