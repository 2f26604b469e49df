"""The anonymous referral log and the e-mailed summary: what is kept, and what never is."""

import datetime

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from phonedesk import actions
from phonedesk.caller import SESSION_KEY
from phonedesk.models import AgeBand, Call, Outcome, SearchTermCount

HX = {"HX-Request": "true"}


def test_log_model_has_exactly_the_agreed_fields():
    names = {field.name for field in Call._meta.get_fields()}
    assert names == {
        "id",
        "started_at",
        "duration_minutes",
        "municipality",
        "age_band",
        "themes",
        "services",
        "outcome",
    }


def test_search_count_model_has_exactly_the_agreed_fields():
    names = {field.name for field in SearchTermCount._meta.get_fields()}
    assert names == {
        "id",
        "day",
        "municipality",
        "source",
        "term",
        "total",
        "calls",
        "zero_results",
    }


def test_no_phonedesk_model_has_a_field_that_could_identify_someone():
    forbidden = ("name", "phone", "email", "address", "ip", "note", "text", "user", "remark")
    for model in apps.get_app_config("phonedesk").get_models():
        for field in model._meta.get_fields():
            assert not set(field.name.split("_")) & set(forbidden), (model, field.name)


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (None, ""),
        (0, "0-17"),
        (17, "0-17"),
        (18, "18-49"),
        (64, "50-64"),
        (75, "75-84"),
        (85, "85+"),
        (120, "85+"),
        (-1, ""),
    ],
)
def test_age_band_for_age(age, band):
    assert AgeBand.for_age(age) == band


def _finish(client, **data):
    defaults = {"finish-outcome": Outcome.REFERRED}
    return client.post(reverse("phonedesk:finish"), {**defaults, **data})


def test_finishing_a_call_stores_the_agreed_fields_and_clears_the_call(desk_client, catalogue):
    desk_client.post(
        reverse("phonedesk:search"),
        {"q": "maatje", "municipality": catalogue["delft"].pk, "age": "82"},
        headers=HX,
    )
    desk_client.post(reverse("phonedesk:pick"), {"pick": catalogue["local"].pk}, headers=HX)
    form = desk_client.get(reverse("phonedesk:finish")).content.decode()
    assert 'value="75-84" selected' in form
    assert f'value="{catalogue["local"].pk}" id="id_finish-services_0" checked' in form

    response = _finish(
        desk_client,
        **{
            "finish-services": [catalogue["local"].pk],
            "finish-themes": [catalogue["theme"].pk],
            "finish-municipality": catalogue["delft"].pk,
            "finish-age_band": "75-84",
        },
    )
    assert response.status_code == 302
    call = Call.objects.get()
    assert call.outcome == Outcome.REFERRED
    assert call.municipality == catalogue["delft"]
    assert call.age_band == "75-84"
    assert list(call.services.all()) == [catalogue["local"]]
    assert list(call.themes.all()) == [catalogue["theme"]]
    assert call.duration_minutes >= 1
    assert call.started_at.minute % 15 == 0 and call.started_at.second == 0
    assert SESSION_KEY not in desk_client.session


def test_referred_needs_a_service(desk_client, catalogue):
    response = _finish(desk_client)
    assert response.status_code == 400
    assert "Kies de diensten" in response.content.decode()
    assert not Call.objects.exists()


def test_no_suitable_offer_needs_nothing_else(desk_client, catalogue):
    assert _finish(desk_client, **{"finish-outcome": Outcome.NO_OFFER}).status_code == 302
    call = Call.objects.get()
    assert (call.municipality, call.age_band, call.services.count()) == (None, "", 0)


def test_unknown_outcome_is_refused(desk_client, catalogue):
    assert _finish(desk_client, **{"finish-outcome": "spam"}).status_code == 400
    assert not Call.objects.exists()


def test_cannot_refer_to_a_service_that_was_not_picked(desk_client, catalogue):
    response = _finish(desk_client, **{"finish-services": [catalogue["other"].pk]})
    assert response.status_code == 400
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_call_finish_rounds_time_and_duration():
    started = timezone.now() - datetime.timedelta(seconds=61)
    call = actions.call_finish(started_at=started, outcome=Outcome.INFORMATION)
    assert call.duration_minutes == 2
    assert call.started_at <= started
    assert started - call.started_at < datetime.timedelta(minutes=15)


def _all_stored_text():
    """Every value of every phonedesk table and every decoded session, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_app_config("phonedesk").get_models(include_auto_created=True):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
            chunks.extend(str(row) for row in cursor.fetchall())
        cursor.execute("SELECT session_data FROM django_session")
        chunks.extend(str(row) for row in cursor.fetchall())
    chunks.extend(str(session.get_decoded()) for session in Session.objects.all())
    return "\n".join(chunks)


def test_emailed_summary_leaves_no_address_anywhere(desk_client, catalogue):
    address = "oma.jansen.unique@example.org"
    desk_client.post(reverse("phonedesk:pick"), {"pick": catalogue["national"].pk})
    response = desk_client.post(reverse("phonedesk:summary_email"), {"email": address})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [address]
    assert "Landelijke maatjeslijn" in mail.outbox[0].body
    assert "030 123 45 67" in mail.outbox[0].body

    follow = desk_client.get(response["Location"])
    assert address not in follow.content.decode()
    assert "verstuurd" in follow.content.decode()
    _finish(desk_client, **{"finish-services": [catalogue["national"].pk]})
    assert Call.objects.count() == 1
    assert address not in _all_stored_text()
    assert address.split("@")[0] not in _all_stored_text()
    for cookie in desk_client.cookies.values():
        assert "jansen" not in cookie.value


def test_invalid_address_sends_nothing(desk_client, catalogue):
    desk_client.post(reverse("phonedesk:pick"), {"pick": catalogue["national"].pk})
    for bad in ["geen-adres", "a@b.nl\nBcc: x@y.nl", "x" * 10_000 + "@example.org"]:
        response = desk_client.post(reverse("phonedesk:summary_email"), {"email": bad})
        assert response.status_code == 400
    assert mail.outbox == []


def test_empty_list_sends_nothing(desk_client, catalogue):
    response = desk_client.post(reverse("phonedesk:summary_email"), {"email": "iemand@example.org"})
    assert response.status_code == 400
    assert mail.outbox == []
