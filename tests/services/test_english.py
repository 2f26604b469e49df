"""The English interface: every string translated, a switch that keeps the page, English
taxonomy names, and service texts left as written (with a note)."""

import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from services import roles
from tests.factories import (
    make_municipality,
    make_service,
    make_support_type,
    make_target_group,
    make_theme,
    make_user,
)

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([^)]+\)[sd]|%%|\{\{[^}]*\}\}|<[^>]+>")

# Common Dutch interface strings that must not be left on an English page.
DUTCH_UI = [
    "Liever bellen?",
    "Hoofdmenu",
    "Mijn lijst",
    "Samenwerking",
    "Wijzig",
    "Direct naar de inhoud",
    "Waar zoekt u hulp bij?",
    "Bekijk al het aanbod",
    "Hulp nodig bij het zoeken?",
    "Inloggen voor organisaties",
    "Toon resultaten",
    "Sorteer op",
    "resultaten",
    "Voor wie",
    "Soort steun",
    "Kosten",
    "Gratis",
    "Bij u thuis",
    "Buitenshuis",
    "Bewaar",
    "Vergelijk",
    "Meld een fout",
    "Wat kost het",
    "Zo meldt u zich aan",
    "maandag tot en met vrijdag",
    "Nieuw gesprek",
    "Gesprek afronden",
    "Uitloggen",
    "Lijst voor de beller",
    "Snel kiezen",
]


class _Text(HTMLParser):
    """The text a visitor sees or hears: text nodes plus labels in attributes."""

    ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "data-suggest-label"}

    def __init__(self):
        super().__init__()
        self.parts = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts.extend(value for name, value in attrs if name in self.ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(response):
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(parser.parts)


def dutch_left(text):
    return [s for s in DUTCH_UI if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text)]


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    """The .mo files are build output: compile them as the build does, then reload them."""
    call_command("compile_translations", stdout=StringIO())
    trans_real._translations = {}
    trans_real._default = None
    yield


@pytest.fixture
def catalogue(db, settings):
    home = make_municipality("Thuisstad", slug="thuisstad")
    settings.DEFAULT_MUNICIPALITY = "thuisstad"
    grief = make_theme(
        "Rouw en verlies",
        slug="rouw",
        name_en="Grief and loss",
        description="U heeft iemand verloren.",
        description_en="You have lost someone.",
    )
    untranslated = make_theme("Zingeving", slug="zingeving")
    older = make_target_group("Ouderen", slug="ouderen", name_en="Older people")
    meeting = make_support_type("Mensen ontmoeten", slug="ontmoeten", name_en="Meeting people")
    walk = make_service(
        "Wandelgroep De Stappers",
        municipalities=[home],
        target_groups=[older],
        support_types=[meeting],
        themes=[grief, untranslated],
        summary="Elke week samen een uur wandelen in het park.",
    )
    return {"walk": walk, "grief": grief}


def english(client):
    """Switch the client to English the way a visitor does: the header's form."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def test_every_msgid_has_a_translation_with_the_same_placeholders():
    catalogue = polib.pofile(str(PO_PATH))
    assert len(catalogue) > 900
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    for entry in catalogue:
        if entry.msgid_plural:
            pairs = [
                (entry.msgid, entry.msgstr_plural[0]),
                (entry.msgid_plural, entry.msgstr_plural[1]),
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, target in pairs:
            assert target.strip(), entry.msgid
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), (
                entry.msgid
            )
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_dutch_is_the_default_and_the_switch_offers_english(client, catalogue):
    response = client.get(reverse("services:home"))
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert 'lang="en">English</button>' in html
    assert "Liever bellen?" in html


def test_an_english_browser_still_gets_dutch_until_english_is_chosen(client, catalogue):
    response = client.get(reverse("services:home"), headers={"accept-language": "en-US,en"})
    assert '<html lang="nl">' in response.content.decode()
    assert response["Content-Language"] == "nl"
    english(client)
    response = client.get(reverse("services:home"), headers={"accept-language": "nl"})
    assert '<html lang="en">' in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_dutch(client, catalogue):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx-<script>"
    response = client.get(reverse("services:home"))
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()


def test_the_switch_returns_to_the_same_page_with_its_query(client, catalogue):
    page = reverse("services:list") + "?q=wandelen&thema=rouw"
    response = client.post(reverse("set_language"), {"language": "en", "next": page})
    assert response.status_code == 302
    assert response["Location"] == page
    html = client.get(page).content.decode()
    assert '<html lang="en">' in html
    # The form in the header posts the current page, with its filters, as `next`; the
    # catalogue's canonical query (known parameters only, in a fixed order).
    found = re.search(r'class="language-switch".*?name="next" value="([^"]*)"', html, re.S)
    assert found.group(1).startswith(reverse("services:list") + "?")
    assert "thema=rouw" in found.group(1) and "q=wandelen" in found.group(1)
    junk = client.get(page + "&onbekend=x").content.decode()
    assert "onbekend" not in junk
    assert 'lang="nl">Nederlands</button>' in html


def test_home_page_in_english(client, catalogue):
    text = visible_text(english(client).get(reverse("services:home")))
    for label in ("Would you rather call?", "Find help and activities near you", "My list"):
        assert label in text
    assert "Grief and loss" in text  # the theme tile, from name_en
    assert "You have lost someone." in text
    assert "Zingeving" in text  # no English name: the Dutch name stays
    assert "Monday to Friday" in text
    assert dutch_left(text) == []


def test_catalogue_in_english(client, catalogue):
    response = english(client).get(reverse("services:list"))
    text = visible_text(response)
    for label in ("Who it is for", "Type of support", "Show 1 result", "Costs", "Away from home"):
        assert label in text
    assert "Older people" in text and "Meeting people" in text
    assert re.search(r"\b1 result\b", text)
    assert "Wandelgroep De Stappers" in text  # service texts stay as written
    assert dutch_left(text) == []


def test_detail_page_in_english_says_the_description_is_in_dutch(client, catalogue):
    url = catalogue["walk"].get_absolute_url()
    note = "This service's description is in Dutch, as the provider wrote it."
    assert note not in visible_text(client.get(url))
    text = visible_text(english(client).get(url))
    assert note in text
    assert "Elke week samen een uur wandelen in het park." in text
    for label in ("What it is", "Helps with:", "Report a mistake", "Grief and loss, Zingeving"):
        assert label in text
    assert "Older people" in text
    assert dutch_left(text) == []


def test_phone_desk_in_english(client, catalogue):
    client.force_login(make_user(groups=[roles.PHONE_DESK]))
    response = english(client).get(reverse("phonedesk:desk"))
    html = response.content.decode()
    assert '<html lang="en">' in html
    text = visible_text(response)
    for label in ("New call", "Finish call", "List for the caller", "Log out"):
        assert label in text
    assert dutch_left(text) == []


def test_taxonomy_display_name_follows_the_active_language(catalogue):
    grief = catalogue["grief"]
    with translation.override("nl"):
        assert (grief.display_name, str(grief)) == ("Rouw en verlies", "Rouw en verlies")
        assert grief.display_description == "U heeft iemand verloren."
    with translation.override("en"):
        assert (grief.display_name, str(grief)) == ("Grief and loss", "Grief and loss")
        assert grief.display_description == "You have lost someone."
