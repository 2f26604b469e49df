"""The detail page's schema.org JSON-LD uses properties where schema.org defines them."""

import json
import re
from decimal import Decimal

import pytest

from services.models import Service
from tests.factories import make_language, make_service

pytestmark = pytest.mark.django_db


def jsonld(client, service):
    page = client.get(service.get_absolute_url()).content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "no JSON-LD on the detail page"
    return json.loads(match.group(1))


def test_languages_sit_on_the_service_channel_not_on_the_service(client):
    service = make_service(languages=[make_language("Arabisch", code="ar")])
    data = jsonld(client, service)
    assert "availableLanguage" not in data  # not a property of schema.org/Service
    assert data["availableChannel"]["@type"] == "ServiceChannel"
    assert data["availableChannel"]["availableLanguage"] == ["Arabisch"]


@pytest.mark.parametrize(
    ("unit", "code"),
    [("per_month", "MON"), ("per_year", "ANN"), ("per_time", "C62")],
)
def test_a_price_per_month_keeps_its_unit(client, unit, code):
    service = make_service(cost=Service.Cost.PAID, cost_amount=Decimal("5.00"), cost_unit=unit)
    offer = jsonld(client, service)["offers"]
    assert offer["price"] == "5.00"
    spec = offer["priceSpecification"]
    assert spec["@type"] == "UnitPriceSpecification"
    assert spec["price"] == "5.00" and spec["priceCurrency"] == "EUR"
    assert spec["referenceQuantity"]["unitCode"] == code


def test_a_one_off_price_has_no_unit(client):
    service = make_service(cost=Service.Cost.PAID, cost_amount=Decimal("12.50"), cost_unit="once")
    offer = jsonld(client, service)["offers"]
    assert offer == {"@type": "Offer", "price": "12.50", "priceCurrency": "EUR"}
