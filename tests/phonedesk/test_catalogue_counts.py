"""The catalogue's own searches that find nothing are counted for the gap report, anonymously."""

from django.test import Client
from django.urls import reverse

from phonedesk.models import SearchTermCount, Source
from services import roles
from tests.factories import make_user


def _search(client, query, municipality):
    client.cookies["gemeente"] = municipality.slug
    return client.get(reverse("services:list"), {"q": query})


def test_a_resident_counts_once_per_term_however_often_they_search(client, catalogue):
    for _ in range(3):
        _search(client, "vervoer zondag", catalogue["delft"])
    row = SearchTermCount.objects.get()
    assert (row.source, row.term, row.total, row.calls, row.zero_results) == (
        Source.CATALOGUE,
        "vervoer zondag",
        3,
        1,
        3,
    )
    assert row.municipality == catalogue["delft"]


def test_three_residents_put_a_term_in_their_municipalitys_gap_report(catalogue):
    for _ in range(3):
        _search(Client(), "vervoer zondag", catalogue["delft"])
    curator = make_user(groups=[roles.CURATOR])
    catalogue["delft"].curators.add(curator)
    other = make_user(groups=[roles.CURATOR])
    catalogue["baarn"].curators.add(other)
    url = reverse("phonedesk:gaps_csv", args=["zoekwoorden-zonder-resultaat"])
    reader = Client()
    reader.force_login(curator)
    assert "vervoer zondag" in reader.get(url).content.decode()
    reader.force_login(other)
    assert "vervoer zondag" not in reader.get(url).content.decode()


def test_searches_that_find_something_or_name_someone_keep_no_text(client, catalogue):
    _search(client, "maatje", catalogue["delft"])
    assert not SearchTermCount.objects.exists()
    _search(client, "Jan de Vries Kerkstraat 12", catalogue["delft"])
    assert list(SearchTermCount.objects.values_list("term", "total")) == [("", 1)]
    assert "gezocht" in client.cookies
    assert "vries" not in client.cookies["gezocht"].value
