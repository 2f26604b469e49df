"""Numbers as Dutch people type them: parsed right in every notation, shown with a comma."""

from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from services import roles
from services.models import Service
from services.numbers import DutchDecimalField, format_number, parse_decimal
from tests.factories import make_service, make_user


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,00", Decimal("1.00")),
        ("1.000,50", Decimal("1000.50")),
        ("46,5", Decimal("46.5")),
        ("46.5", Decimal("46.5")),
        ("1.000", Decimal("1000")),
        ("12", Decimal("12")),
        ("€ 12,50", Decimal("12.50")),
        ("1 000,5", Decimal("1000.5")),
    ],
)
def test_dutch_notation_is_read_as_meant(typed, expected):
    assert parse_decimal(typed) == expected


@pytest.mark.parametrize("typed", ["1,2,3", "abc", "1.00.0", "²", "1,", ",5", "1..0", "٣"])
def test_unreadable_numbers_are_refused_not_guessed(typed):
    with pytest.raises(ValueError):
        parse_decimal(typed)


@given(st.decimals(min_value=0, max_value=999_999, places=2, allow_nan=False))
def test_what_we_show_reads_back_as_the_same_number(value):
    shown = format_number(value, 2)
    assert parse_decimal(shown) == value


@given(st.text(max_size=30))
def test_any_text_is_a_number_or_a_form_error_never_an_exception(text):
    field = DutchDecimalField(max_digits=8, decimal_places=2, required=False)
    try:
        field.clean(text)
    except Exception as error:  # noqa: BLE001 - only a ValidationError may come out
        assert type(error).__name__ == "ValidationError"


@pytest.mark.django_db
def test_one_euro_typed_with_a_comma_is_stored_as_one_euro(client):
    roles.ensure_groups()
    admin_user = make_user("landelijk", is_staff=True, groups=[roles.NATIONAL_CURATOR])
    service = make_service("Cursus", cost=Service.Cost.PAID)
    client.force_login(admin_user)
    url = reverse("admin:services_service_change", args=[service.pk])
    from tests.services.curation_fixtures import form_data

    data = form_data(client.get(url), cost_amount="1,00", cost_unit="per_time")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    service.refresh_from_db()
    assert service.cost_amount == Decimal("1.00")
    page = client.get(url).content.decode()
    assert 'value="1,00"' in page
    assert 'inputmode="decimal"' in page


@pytest.mark.django_db
def test_coalition_figures_take_a_decimal_comma(rf):
    from django.contrib import admin

    from coalitions.models import Indicator, LonelinessFigure

    user = make_user(is_staff=True, is_superuser=True)
    request = rf.get("/")
    request.user = user
    for model, field in ((Indicator, "baseline"), (LonelinessFigure, "lonely_percent")):
        form = admin.site._registry[model].get_form(request)
        assert isinstance(form.base_fields[field], DutchDecimalField)
        assert form.base_fields[field].clean("46,5") == Decimal("46.5")
