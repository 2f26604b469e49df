"""Mailing the summary against a real SMTP server on loopback: one that refuses, one that is down."""

import logging
import socket

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from django.urls import reverse

ADDRESS = "beller.voorbeeld@example.nl"


class Handler:
    """Accepts mail, except for addresses at refused.example."""

    def __init__(self):
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def _our_log(caplog):
    """What the site logged (aiosmtpd's own server log, "mail.log", is the other side)."""
    return "\n".join(
        caplog.handler.format(record)
        for record in caplog.records
        if not record.name.startswith("mail.log")
    )


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _smtp(port):
    return override_settings(
        MAILERS={
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }
    )


@pytest.fixture
def smtp_server():
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with _smtp(controller.port):
            yield handler
    finally:
        controller.stop()


@pytest.fixture
def picked(desk_client, catalogue):
    desk_client.post(reverse("phonedesk:pick"), {"pick": catalogue["national"].pk})
    return desk_client


def _send(client, address):
    return client.post(reverse("phonedesk:summary_email"), {"email": address})


def test_summary_reaches_a_real_mail_server(picked, smtp_server):
    response = _send(picked, ADDRESS)
    assert response.status_code == 302
    assert smtp_server.received == [[ADDRESS]]


def test_refused_address_gives_a_dutch_message_and_no_address_in_the_log(
    picked, smtp_server, caplog
):
    caplog.set_level(logging.DEBUG)
    response = _send(picked, "niemand@refused.example")
    assert response.status_code == 400
    assert "De mailserver neemt dit adres niet aan" in response.content.decode()
    assert smtp_server.received == []
    log = _our_log(caplog)
    assert "refused.example" not in log
    assert "niemand" not in log
    assert "SMTP [550]" in log


def test_mail_server_down_gives_a_dutch_message_not_an_error_page(picked, caplog):
    caplog.set_level(logging.DEBUG)
    with _smtp(_free_port()):  # nothing listens there: connection refused
        response = _send(picked, ADDRESS)
    assert response.status_code == 503
    html = response.content.decode()
    assert "de mailserver is niet bereikbaar" in html
    log = _our_log(caplog)
    assert "mail server unavailable (ConnectionRefusedError)" in log
    assert "Traceback" not in log
    assert "beller.voorbeeld" not in log


def test_the_address_field_is_not_remembered_by_the_browser(picked):
    html = picked.get(reverse("phonedesk:summary")).content.decode()
    assert (
        'autocomplete="off"'
        in html.split('name="email"')[0].rsplit("<input", 1)[1]
        + (html.split('name="email"')[1].split(">", 1)[0])
    )
