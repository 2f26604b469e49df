import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from services.models import Location, OpeningPeriod, Service
from services.validators import is_dialable_phone, validate_postcode
from tests.factories import (
    make_municipality,
    make_organisation,
    make_service,
    make_target_group,
)

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "number",
    [
        "030 123 45 67",
        "06-12345678",
        "0800 0767",
        "0900-1450",
        "14 020",
        "+31 30 123 4567",
        "+32 2 123 45 67",
    ],
)
def test_dialable_phone_numbers_are_accepted(number):
    assert is_dialable_phone(number)


@pytest.mark.parametrize(
    "number",
    [
        "123",
        "030 123 45",
        "0301234567890",
        "+31 030 123 4567",
        "bel ons",
        "06-1234567a",
        "+3+1",
        "\x00",
        "1" * 40,
    ],
)
def test_undialable_phone_numbers_are_refused(number):
    assert not is_dialable_phone(number)


@pytest.mark.parametrize("postcode", ["1234 AB", "1234AB", "9999 zz"])
def test_dutch_postcodes_are_accepted(postcode):
    validate_postcode(postcode)


@pytest.mark.parametrize("postcode", ["0123 AB", "1234 SS", "12345", "AB 1234", "1234 A"])
def test_non_dutch_postcodes_are_refused(postcode):
    with pytest.raises(ValidationError):
        validate_postcode(postcode)


def test_location_postcode_is_normalised_on_clean():
    service = make_service()
    location = Location(service=service, name="Buurthuis", postcode="1234ab")
    location.full_clean()
    assert location.postcode == "1234 AB"


def test_age_range_must_be_sensible():
    with pytest.raises(ValidationError) as error:
        make_service(min_age=70, max_age=18)
    assert "max_age" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_service(min_age=130)
    assert "min_age" in error.value.message_dict
    assert make_service(min_age=18, max_age=18).pk


def test_local_service_needs_a_municipality():
    service = Service(organisation=make_organisation(), name="x", scope=Service.Scope.LOCAL)
    with pytest.raises(ValidationError) as error:
        service.clean_relations(municipalities=[], target_groups=[make_target_group()])
    assert "municipalities" in error.value.message_dict
    service.clean_relations(municipalities=[make_municipality()], target_groups=[])


def test_published_service_needs_summary_essence_contact_and_target_group():
    org = make_organisation()
    service = Service(
        organisation=org, name="Koffieochtend", status=Service.Status.PUBLISHED, out_of_home=True
    )
    with pytest.raises(ValidationError) as error:
        service.full_clean()
    assert {"summary", "essence", "phone"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        service.clean_relations(municipalities=[], target_groups=[])
    assert "target_groups" in error.value.message_dict


def test_draft_service_may_be_incomplete():
    service = Service(
        organisation=make_organisation(),
        name="Nog niet af",
        status=Service.Status.DRAFT,
        scope=Service.Scope.NATIONAL,
        online=True,
    )
    service.full_clean()
    service.clean_relations(municipalities=[], target_groups=[])


def test_service_needs_at_least_one_place():
    with pytest.raises(ValidationError) as error:
        make_service(out_of_home=False)
    assert "at_home" in error.value.message_dict


def test_free_service_has_no_amount_and_amount_is_not_negative():
    with pytest.raises(ValidationError) as error:
        make_service(cost=Service.Cost.FREE, cost_amount=5)
    assert "cost_amount" in error.value.message_dict
    with pytest.raises(ValidationError):
        make_service(cost=Service.Cost.PAID, cost_amount=-1)
    assert make_service(cost=Service.Cost.PAID, cost_amount=12.5).cost_amount == 12.5


def test_invalid_contact_details_get_a_message_per_field():
    with pytest.raises(ValidationError) as error:
        make_service(phone="bel maar", email="geen-mail", url="javascript:alert(1)")
    assert {"phone", "email", "url"} <= set(error.value.message_dict)


def test_control_characters_in_a_name_are_refused():
    with pytest.raises(ValidationError) as error:
        make_service(name="Koffie\x00ochtend")
    assert "name" in error.value.message_dict


def test_opening_period_must_close_after_it_opens():
    location = Location.objects.create(service=make_service(), name="Buurthuis")
    period = OpeningPeriod(location=location, weekday=1, opens="12:00", closes="09:00")
    with pytest.raises(ValidationError):
        period.full_clean()
    OpeningPeriod(location=location, weekday=1, opens="09:00", closes="12:00").full_clean()


def test_for_municipality_gives_national_and_own_local_only():
    home, other = make_municipality("Thuisstad"), make_municipality("Anderstad")
    national = make_service("Landelijke lijn")
    own = make_service("Eigen koffieochtend", municipalities=[home])
    elsewhere = make_service("Andermans koffieochtend", municipalities=[other])
    both = make_service("Regionaal", municipalities=[home, other])
    found = set(Service.objects.for_municipality(home))
    assert found == {national, own, both}
    assert elsewhere not in found
    assert set(Service.objects.for_municipality(None)) == {national, own, elsewhere, both}


@pytest.mark.parametrize("status", [s for s in Service.Status.values if s != "published"])
def test_only_published_services_are_public(status):
    hidden = make_service(status=status)
    shown = make_service()
    assert list(Service.objects.published()) == [shown]
    assert hidden.pk not in Service.objects.published().values_list("pk", flat=True)


def test_with_related_uses_a_fixed_number_of_queries(django_assert_num_queries):
    municipality = make_municipality()
    for n in range(30):
        make_service(f"Dienst {n}", municipalities=[municipality] if n % 2 else [])
    with django_assert_num_queries(7):
        services = list(Service.objects.with_related())
        for service in services:
            _ = (
                service.organisation.name,
                list(service.target_groups.all()),
                list(service.support_types.all()),
            )
            _ = (
                list(service.themes.all()),
                list(service.languages.all()),
                list(service.municipalities.all()),
            )
    assert len(services) == 30


def test_slug_is_made_unique():
    first, second = make_service("Taalcafé"), make_service("Taalcafé")
    assert first.slug == "taalcafe"
    assert second.slug == "taalcafe-2"


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "sociale_kaart.settings",
        "DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_settings_start_with_secret_key_or_in_debug():
    for extra in ({"SECRET_KEY": "x" * 50, "DEBUG": "0"}, {"DEBUG": "1"}):
        env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "sociale_kaart.settings", **extra}
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "name", ["Koffie\r\nBcc: iemand@example.org", "Koffie\nochtend", "a\u2028b"]
)
def test_names_are_one_line_so_they_cannot_break_an_email_subject(db, name):
    from django.core.exceptions import ValidationError

    from tests.factories import make_organisation

    service = make_service("Koffie-ochtend")
    service.name = name
    with pytest.raises(ValidationError) as raised:
        service.full_clean()
    assert "één regel" in str(raised.value)
    organisation = make_organisation("Welzijn")
    organisation.name = name
    with pytest.raises(ValidationError):
        organisation.full_clean()
