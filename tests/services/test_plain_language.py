"""Plain Dutch in the demo data and the public templates: "u", explained jargon, ages that fit.

The demo data is what a municipality sees first and copies from, so it is held to the
standard of the public site (B1, "u").
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
DEMO = ROOT / "fixtures" / "demo"
TEXT_FIELDS = (
    "name",
    "summary",
    "essence",
    "how_to_apply",
    "conditions",
    "cost_text",
    "wait_time",
    "alert",
    "description",
    "accessibility",
)
# Words a resident may not know; each needs a plain explanation where it is used.
JARGON = (
    "statushouder",
    "respijtzorg",
    "mantelzorgconsulent",
    "indicatie",
    "existentiële",
    "beroepskracht",
    "dagbesteding",
    "ervaringsdeskundige",
    "praktijkondersteuner",
    "buurtsportcoach",
    "kartrekker",
    "wmo",
)
INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jezelf|jullie)\b", re.IGNORECASE)
PLUS_GROUP = re.compile(r"^(\d+)-plussers$")


def _texts(value, where=""):
    """Every (place, text) in a demo file's text fields."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in TEXT_FIELDS and isinstance(item, str):
                yield f"{where}.{key}", item
            else:
                yield from _texts(item, f"{where}.{value.get('slug', key)}")
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item, where)


def _demo_texts():
    for name in ("voorbeeldstad.json", "taxonomies.json"):
        yield from _texts(json.loads((DEMO / name).read_text()), name)


def _explained(text, word):
    """True when each use of `word` is explained: in or before brackets, before a colon, "heet"."""
    for sentence in re.split(r"(?<=[.?!])\s+", text):
        lowered = sentence.lower()
        if word not in lowered:
            continue
        at = lowered.index(word)
        in_brackets = lowered.rfind("(", 0, at) > lowered.rfind(")", 0, at)
        followed_by_brackets = re.match(r"\w*\s*\(", lowered[at:]) is not None
        if not (in_brackets or followed_by_brackets or "heet" in lowered or ":" in lowered[at:]):
            return False
    return True


def test_demo_data_says_u_not_je():
    informal = [(place, text) for place, text in _demo_texts() if INFORMAL.search(text)]
    assert informal == []


def test_coalition_demo_says_u_not_je():
    source = (ROOT / "coalitions" / "demo.py").read_text()
    assert INFORMAL.findall("\n".join(re.findall(r'"([^"]*)"', source))) == []


@pytest.mark.parametrize("word", JARGON)
def test_jargon_in_demo_data_is_explained(word):
    unexplained = [
        (place, text)
        for place, text in _demo_texts()
        if word in text.lower() and not _explained(text, word)
    ]
    assert unexplained == []


def test_explained_recognises_brackets_colon_and_heet():
    assert _explained("Even vrij (respijtzorg).", "respijtzorg")
    assert _explained("U heeft een indicatie nodig: een besluit van de gemeente.", "indicatie")
    assert _explained("Dit heet respijtzorg.", "respijtzorg")
    assert _explained(
        "Praktijkondersteuners (medewerkers van de huisarts).", "praktijkondersteuner"
    )
    assert not _explained("U heeft een indicatie nodig.", "indicatie")


def test_demo_audiences_fit_the_age_range():
    services = json.loads((DEMO / "voorbeeldstad.json").read_text())["services"]
    misfits = []
    for service in services:
        low, high = service.get("min_age"), service.get("max_age")
        for group in service.get("target_groups", []):
            plus = PLUS_GROUP.match(group)
            if plus and low != int(plus.group(1)):
                misfits.append((service["slug"], group, low, high))
            if group == "ouderen-75-plus" and low is not None and low < 65:
                misfits.append((service["slug"], group, low, high))
            if group == "jongeren" and (high is None or high > 25 or (low or 0) < 12):
                misfits.append((service["slug"], group, low, high))
    assert misfits == []


def test_older_people_group_name_has_no_age_that_contradicts_services():
    groups = json.loads((DEMO / "taxonomies.json").read_text())["target_groups"]
    older = next(group for group in groups if group["slug"] == "ouderen-75-plus")
    # Services for older people start at 65; a name saying 75+ would contradict them.
    assert "75" not in older["name"]


def _chips(service):
    from django.template.loader import render_to_string
    from django.utils.html import strip_tags

    html = render_to_string("services/includes/facts.html", {"service": service})
    return [
        " ".join(strip_tags(item).split()) for item in re.findall(r"<li>(.*?)</li>", html, re.S)
    ]


@pytest.mark.django_db
def test_every_fact_chip_says_what_it_is_about():
    from services.models import Service
    from tests.factories import make_service

    service = make_service(
        "Koffieochtend",
        cost=Service.Cost.UNKNOWN,
        provided_by=Service.ProvidedBy.VOLUNTEERS,
        frequency=Service.Frequency.RECURRING,
        format=Service.Format.INDIVIDUAL,
        at_home=True,
        online=True,
    )
    chips = _chips(service)
    assert "Kosten: nog niet bekend" in chips
    assert "Door: vrijwilligers" in chips
    assert "Waar: bij u thuis, buitenshuis, online" in chips, chips
    assert "Hoe vaak: steeds weer" in chips
    assert "Hoe: één op één" in chips
    assert "Voor: heel Nederland" in chips
    assert all(re.match(r"^[A-Z][a-z ]+: \S", chip) for chip in chips), chips


@pytest.mark.django_db
def test_free_service_chip_reads_kosten_gratis():
    from services.models import Service
    from tests.factories import make_service

    chips = _chips(make_service(cost=Service.Cost.FREE))
    assert "Kosten: gratis" in chips


# Flesch-Douma: 60-70 "vrij makkelijk", 70-80 "makkelijk". Public texts stay in that range.
MIN_READING_EASE = 60


def test_every_demo_service_reads_easily_in_dutch():
    import textstat

    textstat.set_lang("nl")
    services = json.loads((DEMO / "voorbeeldstad.json").read_text())["services"]
    fields = ("summary", "essence", "how_to_apply", "conditions", "cost_text")
    hard = {}
    for service in services:
        text = " ".join(service[field] for field in fields if service.get(field))
        score = textstat.flesch_reading_ease(text)
        if score < MIN_READING_EASE:
            hard[service["slug"]] = score
    assert hard == {}


def test_reading_ease_check_flags_officialese():
    import textstat

    textstat.set_lang("nl")
    officialese = (
        "Ondersteuningsmogelijkheden worden geïndiceerd na multidisciplinaire "
        "afstemming conform de geldende beleidsregels inzake maatschappelijke "
        "ondersteuning en participatiebevordering."
    )
    assert textstat.flesch_reading_ease(officialese) < MIN_READING_EASE


@pytest.mark.django_db
def test_compare_table_writes_dates_like_the_rest_of_the_site():
    import datetime

    from django.utils import timezone

    from services.catalogue.views import compare_rows
    from tests.factories import make_service

    verified = timezone.make_aware(datetime.datetime(2025, 10, 8, 12, 0))
    service = make_service(verified_at=verified)
    rows = {
        row["label"]: [value for _name, value in row["cells"]] for row in compare_rows([service])
    }
    assert rows["Laatst gecontroleerd"] == ["8 oktober 2025"]
