"""The gap report: aggregated figures for curators, with SVG charts, tables and CSV."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from phonedesk import actions, reports
from phonedesk.models import Call, Outcome, SearchTermCount
from services import roles
from tests.factories import make_user


def _call(outcome, *, municipality=None, themes=(), services=(), days_ago=1):
    call = Call.objects.create(
        started_at=timezone.now() - datetime.timedelta(days=days_ago),
        duration_minutes=5,
        municipality=municipality,
        outcome=outcome,
    )
    call.themes.set(themes)
    call.services.set(services)
    return call


@pytest.fixture
def calls(catalogue):
    delft, baarn, theme = catalogue["delft"], catalogue["baarn"], catalogue["theme"]
    _call(Outcome.NO_OFFER, municipality=delft, themes=[theme])
    _call(Outcome.NO_OFFER, municipality=baarn, themes=[theme])
    _call(Outcome.REFERRED, municipality=delft, themes=[theme], services=[catalogue["local"]])
    _call(Outcome.INFORMATION, municipality=baarn)
    _call(Outcome.NO_OFFER, municipality=delft, days_ago=400)
    today = timezone.localdate()
    for _ in range(3):
        actions.search_term_count(query="vervoer zondag", found=False, day=today)
    for _ in range(2):
        actions.search_term_count(query="oppas hond", found=False, day=today)
    return catalogue


def test_report_shows_gaps_of_the_period(curator_client, calls):
    html = curator_client.get(reverse("phonedesk:gaps")).content.decode()
    assert "vervoer zondag" in html
    assert "Maatje Delft" in html
    assert "Eenzaamheid" in html
    assert "4 gesprekken" in html
    assert "<svg" in html and 'aria-hidden="true"' in html
    assert html.count("<table") == 6


def test_terms_seen_fewer_than_three_times_are_not_shown(curator_client, calls):
    html = curator_client.get(reverse("phonedesk:gaps")).content.decode()
    assert "oppas hond" not in html
    csv_text = curator_client.get(
        reverse("phonedesk:gaps_csv", args=["zoekwoorden-zonder-resultaat"])
    ).content.decode()
    assert "vervoer zondag" in csv_text
    assert "oppas hond" not in csv_text


def test_municipal_curator_sees_only_own_municipalities(client, calls):
    curator = make_user(groups=[roles.CURATOR])
    calls["delft"].curators.add(curator)
    client.force_login(curator)
    url = reverse("phonedesk:gaps_csv", args=["geen-aanbod-per-gemeente"])
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert rows[1:] == [["Delft", "1"]]


def test_period_and_municipality_filters(curator_client, calls):
    url = reverse("phonedesk:gaps_csv", args=["gesprekken-per-periode"])
    start = (timezone.localdate() - datetime.timedelta(days=500)).isoformat()
    rows = list(
        csv.reader(
            io.StringIO(
                curator_client.get(url, {"period": "month", "start": start}).content.decode()
            )
        )
    )
    assert sum(int(row[-1]) for row in rows[1:]) == 5
    rows = list(
        csv.reader(
            io.StringIO(
                curator_client.get(url, {"municipality": calls["baarn"].pk}).content.decode()
            )
        )
    )
    assert sum(int(row[-1]) for row in rows[1:]) == 2


def test_unknown_csv_is_not_found(curator_client, db):
    assert curator_client.get(reverse("phonedesk:gaps_csv", args=["geheim"])).status_code == 404


@pytest.mark.parametrize("value", ["=1+1", "+31", "-2", "@SUM(A1)", "\tx", "\r=1"])
def test_csv_cells_never_start_a_formula(value):
    table = reports.Table("t", "T", ["a", "b"], [[value, 3]])
    stream = io.StringIO()
    reports.write_csv(table, stream)
    cell = list(csv.reader(io.StringIO(stream.getvalue())))[1][0]
    assert cell.startswith("'")


def test_csv_export_escapes_a_hostile_service_name(curator_client, calls):
    service = calls["local"]
    service.name = '=HYPERLINK("http://evil")'
    service.save()
    text = curator_client.get(
        reverse("phonedesk:gaps_csv", args=["verwijzingen-per-dienst"])
    ).content.decode()
    assert "'=HYPERLINK" in text


@pytest.mark.parametrize(
    "params",
    [
        {"period": "year"},
        {"start": "2026-02-31"},
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"end": "\x00"},
        {"municipality": "abc"},
        {"municipality": "99999999999999999999999"},
        {"start": "x" * 10_000},
    ],
)
def test_hostile_report_filters_never_break_it(curator_client, calls, params):
    refused = any("\x00" in value for value in params.values())
    status = curator_client.get(reverse("phonedesk:gaps"), params).status_code
    assert status == (400 if refused else 200)


def test_report_query_count(curator_client, calls, django_assert_num_queries):
    # session, user, group names (asked once for role and scope), municipality choices, totals, six
    # sections, the unknown-word count, the site header's municipality
    with django_assert_num_queries(13):
        curator_client.get(reverse("phonedesk:gaps"))


def test_charts_have_geometry_for_every_row():
    chart = reports.bar_chart([["a", 4], ["b", 2]])
    assert [bar["width"] for bar in chart["bars"]] == [reports.BAR_AREA, reports.BAR_AREA / 2]
    columns = reports.column_chart([["w1", 1, 1, 0, 2]])
    assert [part["height"] for part in columns["columns"][0]["parts"]] == [
        reports.CHART_HEIGHT / 2,
        reports.CHART_HEIGHT / 2,
        0,
    ]


def test_search_counts_are_unique_per_day_and_term(db):
    day = timezone.localdate()
    actions.search_term_count(query="rouw", found=True, day=day)
    actions.search_term_count(query="Rouw", found=False, day=day)
    actions.search_term_count(query="rouw", found=True, day=day - datetime.timedelta(days=1))
    assert SearchTermCount.objects.filter(term="rouw").count() == 2
    today = SearchTermCount.objects.get(day=day)
    assert (today.total, today.zero_results) == (2, 1)


def test_demo_load_fills_the_gap_report_once(curator_client, catalogue):
    from phonedesk import demo

    first = demo.load()
    assert first["calls"] > 20
    assert demo.load()["calls"] == first["calls"]
    html = curator_client.get(reverse("phonedesk:gaps")).content.decode()
    assert "vervoer zondag" in html
    assert "Eenzaamheid" in html


def _searched(term, municipality, calls, *, found=False):
    for _n in range(calls):
        actions.search_term_count(
            query=term, found=found, municipality=getattr(municipality, "pk", None)
        )
        # A later search of the same call does not count as another call.
        actions.search_term_count(
            query=term,
            found=found,
            municipality=getattr(municipality, "pk", None),
            first_in_call=False,
        )


def _zero_terms(client):
    url = reverse("phonedesk:gaps_csv", args=["zoekwoorden-zonder-resultaat"])
    return [row[0] for row in csv.reader(io.StringIO(client.get(url).content.decode()))][1:]


def test_a_term_shows_only_after_three_different_calls(curator_client, catalogue):
    _searched("vervoer zondag", catalogue["delft"], 3)
    _searched("oppas hond", catalogue["delft"], 2)
    assert _zero_terms(curator_client) == ["vervoer zondag"]


def test_terms_show_only_to_curators_of_the_callers_municipality(client, catalogue):
    _searched("vervoer zondag", catalogue["delft"], 3)
    _searched("oppas hond", catalogue["baarn"], 3)
    _searched("kerkdienst thuis", None, 3)
    delft_curator = make_user(groups=[roles.CURATOR])
    catalogue["delft"].curators.add(delft_curator)
    client.force_login(delft_curator)
    assert _zero_terms(client) == ["vervoer zondag"]
    client.force_login(make_user(groups=[roles.NATIONAL_CURATOR]))
    assert sorted(_zero_terms(client)) == ["kerkdienst thuis", "oppas hond", "vervoer zondag"]


def test_unknown_words_are_counted_without_their_text(curator_client, catalogue):
    for query in ("Jan de Vries", "06 12 34 56 78", "jan@example.nl"):
        actions.search_term_count(query=query, found=False)
    assert SearchTermCount.objects.get().term == ""
    assert _zero_terms(curator_client) == ["(onbekend woord)"]
