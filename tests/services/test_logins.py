"""Staff logins: lockout after failures, TOTP codes for curators, reset and change of passwords."""

import datetime
import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from services import roles
from sociale_kaart.middleware import IDLE_KEY
from tests.factories import make_user

PASSWORD = "test-password-123"
LOGINS = [
    ("admin:login", {"username": "{u}", "password": "{p}"}),
    ("phonedesk:login", {"username": "{u}", "password": "{p}"}),
]


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting how often a password was actually checked."""

    checked = 0

    def verify(self, password, encoded):
        CountingHasher.checked += 1
        return super().verify(password, encoded)


def _login(client, url_name, username, password, address="10.0.0.1", **extra):
    return client.post(
        reverse(url_name),
        {"username": username, "password": password, **extra},
        REMOTE_ADDR=address,
    )


def _code(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


@pytest.fixture
def staff(db):
    return make_user(groups=[roles.PARTNER], is_staff=True, email="aanbieder@example.org")


@pytest.mark.parametrize("url_name", ["admin:login", "phonedesk:login"])
def test_five_wrong_passwords_lock_the_account_even_with_the_right_one(client, staff, url_name):
    for _ in range(4):
        assert _login(client, url_name, staff.username, "fout").status_code == 200
    # The fifth failure locks.
    assert _login(client, url_name, staff.username, "fout").status_code == 429
    response = _login(client, url_name, staff.username, PASSWORD)
    assert response.status_code == 429
    assert "Inloggen tijdelijk geblokkeerd" in response.content.decode()
    # From another address too: the lock is on the account.
    assert _login(client, url_name, staff.username, PASSWORD, "10.9.9.9").status_code == 429


def test_five_failures_from_one_address_lock_that_address_for_every_account(client, staff):
    for n in range(5):
        _login(client, "admin:login", f"raden{n}", "fout", "10.0.0.7")
    assert _login(client, "admin:login", staff.username, PASSWORD, "10.0.0.7").status_code == 429
    response = _login(client, "admin:login", staff.username, PASSWORD, "10.0.0.8")
    assert response.status_code == 302


def test_the_lock_ends_after_the_cool_off(client, staff):
    from axes.models import AccessAttempt

    for _ in range(5):
        _login(client, "admin:login", staff.username, "fout")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert _login(client, "admin:login", staff.username, PASSWORD).status_code == 302


@override_settings(PASSWORD_HASHERS=["tests.services.test_logins.CountingHasher"])
def test_a_locked_out_login_never_computes_the_password_hash(client, staff):
    staff.set_password(PASSWORD)
    staff.save()
    for _ in range(5):
        _login(client, "admin:login", staff.username, "fout")
    before = CountingHasher.checked
    for _ in range(10):
        assert _login(client, "admin:login", staff.username, PASSWORD).status_code == 429
    assert CountingHasher.checked == before


def test_lockout_counts_the_address_a_trusted_proxy_reports(client, staff):
    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        for n in range(5):
            client.post(
                reverse("admin:login"),
                {"username": f"raden{n}", "password": "fout"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR="203.0.113.5",
            )
        # Another client behind the same proxy is not locked out.
        response = client.post(
            reverse("admin:login"),
            {"username": staff.username, "password": PASSWORD},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.6",
        )
    assert response.status_code == 302


@pytest.fixture
def curator(db):
    return make_user(groups=[roles.NATIONAL_CURATOR], is_staff=True)


@pytest.fixture
def second_factor(settings):
    settings.SECOND_FACTOR_REQUIRED = True


@pytest.mark.usefixtures("second_factor")
class TestSecondFactor:
    def test_curator_without_an_app_must_set_one_up_first(self, client, curator):
        response = _login(client, "admin:login", curator.username, PASSWORD)
        response = client.get(response["Location"], follow=True)
        assert response.redirect_chain[-1][0] == reverse("admin:second_factor_setup")
        assert "Inloggen met een code instellen" in response.content.decode()
        assert client.get(reverse("admin:services_service_changelist")).status_code == 302

    def test_desk_and_gap_report_need_the_code_too(self, client, curator):
        client.force_login(curator)  # a password login, no code
        for name in ("phonedesk:desk", "phonedesk:gaps"):
            response = client.get(reverse(name))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))

    def test_setting_up_the_app_opens_the_admin(self, client, curator):
        _login(client, "admin:login", curator.username, PASSWORD)
        client.get(reverse("admin:second_factor_setup"))
        device = TOTPDevice.objects.get(user=curator)
        wrong = client.post(reverse("admin:second_factor_setup"), {"otp_token": "000000"})
        assert "Deze code klopt niet" in wrong.content.decode()
        # django-otp slows down the next try after a wrong code; the test does not wait.
        TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
        response = client.post(reverse("admin:second_factor_setup"), {"otp_token": _code(device)})
        assert response["Location"] == reverse("admin:index")
        assert client.get(reverse("admin:index")).status_code == 200

    def test_with_an_app_the_password_alone_is_not_enough(self, client, curator):
        device = TOTPDevice.objects.create(user=curator, name="app", confirmed=True)
        response = _login(client, "admin:login", curator.username, PASSWORD)
        assert "Vul de code van zes cijfers uit uw app in" in response.content.decode()
        response = _login(client, "admin:login", curator.username, PASSWORD, otp_token="12³456")
        assert "Deze code klopt niet" in response.content.decode()
        TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
        response = _login(
            client, "admin:login", curator.username, PASSWORD, otp_token=_code(device)
        )
        assert response.status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200

    def test_the_desk_login_asks_for_the_code_too(self, client, curator):
        device = TOTPDevice.objects.create(user=curator, name="app", confirmed=True)
        response = _login(client, "phonedesk:login", curator.username, PASSWORD)
        assert response.status_code == 200
        response = _login(
            client, "phonedesk:login", curator.username, PASSWORD, otp_token=_code(device)
        )
        assert response.status_code == 302

    def test_partners_may_log_in_with_a_password_only(self, client, staff):
        assert _login(client, "admin:login", staff.username, PASSWORD).status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200


def test_password_reset_by_email(client, staff):
    response = client.post(reverse("admin_password_reset"), {"email": staff.email})
    assert response.status_code == 302
    link = re.search(r"https?://[^/]+(/beheer/wachtwoord-herstellen/\S+/)", mail.outbox[0].body)
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0]
    new = "een-nieuw-lang-wachtwoord-42"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == reverse("password_reset_complete")
    staff.refresh_from_db()
    assert staff.check_password(new)


def test_desk_staff_change_their_own_password(client, db):
    desk = make_user(groups=[roles.PHONE_DESK])
    client.force_login(desk)
    assert b"Wachtwoord wijzigen" in client.get(reverse("phonedesk:desk")).content
    new = "een-nieuw-lang-wachtwoord-42"
    response = client.post(
        reverse("phonedesk:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == reverse("phonedesk:password_changed")
    desk.refresh_from_db()
    assert desk.check_password(new)


def test_login_pages_are_dutch(client, db):
    for url_name in ("admin:login", "phonedesk:login", "admin_password_reset"):
        html = client.get(reverse(url_name)).content.decode()
        assert 'lang="nl"' in html
        assert "Wachtwoord" in html


def test_staff_sessions_end_at_browser_close_and_after_thirty_idle_minutes(client, staff):
    _login(client, "admin:login", staff.username, PASSWORD)
    cookie = client.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    session = Session.objects.get()
    left = session.expire_date - timezone.now()
    assert datetime.timedelta(minutes=29) < left <= datetime.timedelta(minutes=30)
    # Working on renews the 30 minutes (at most once a minute, to spare the database).
    store = client.session
    store[IDLE_KEY] -= 120
    store.save()
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=5))
    client.get(reverse("admin:index"))
    left = Session.objects.get().expire_date - timezone.now()
    assert left > datetime.timedelta(minutes=29)
