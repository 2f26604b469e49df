"""The files every site is expected to have: robots.txt, sitemap, favicon, compressed HTML."""

import gzip

import pytest
from django.urls import reverse

from services.models import Service
from tests.factories import make_service

pytestmark = pytest.mark.django_db


def test_robots_keeps_staff_pages_out_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Disallow: /beheer/" in body and "Disallow: /telefoon/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_sitemap_lists_public_services_only(client):
    public = make_service("Open koor")
    closed = make_service("Dicht koor", status=Service.Status.TEMPORARILY_CLOSED)
    draft = make_service("Geheim koor", status=Service.Status.DRAFT)
    body = client.get("/sitemap.xml").content.decode()
    assert public.get_absolute_url() in body
    assert closed.get_absolute_url() in body
    assert draft.get_absolute_url() not in body


def test_favicon_exists(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def test_html_is_compressed_for_browsers_that_ask(client):
    make_service("Koor")
    response = client.get(reverse("services:list"), headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    assert '<link rel="canonical" href="http://testserver/aanbod/">' in html
    assert len(response.content) < len(html) / 3
