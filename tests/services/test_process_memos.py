"""What each process keeps for itself (services.versions.ProcessLRU and ProcessMemo users):
never shared, never stale, and the pages are the same with or without it."""

import time

import pytest
from django.core.cache import cache
from django.db import connection, models
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services import versions, vocabulary
from services.catalogue.views import public_services
from services.filters import ServiceFilterSet
from services.models import Service
from tests.factories import make_municipality, make_service, make_theme

pytestmark = pytest.mark.django_db


def test_a_kept_value_ages_out():
    kept = versions.ProcessLRU(seconds=0.05, max_chars=100)
    kept.set_many({"a": "tekst"})
    assert kept.get_many(["a", "b"]) == {"a": "tekst"}
    time.sleep(0.06)
    assert kept.get_many(["a"]) == {}


def test_the_least_recently_used_goes_first_and_lists_count_by_their_texts():
    kept = versions.ProcessLRU(seconds=60, max_chars=10)
    kept.set_many({"a": "1234", "b": ["12", "34"]})
    kept.get_many(["a"])  # a is used again: b is now the oldest
    kept.set_many({"c": "1234"})
    assert kept.get_many(["a", "b", "c"]) == {"a": "1234", "c": "1234"}
    kept.set_many({"huge": "x" * 11})  # larger than the whole memo: not kept
    assert kept.get_many(["huge", "a", "c"]) == {"a": "1234", "c": "1234"}
    kept.set_many({"a": "123456"})  # replacing a value counts its new size
    assert kept.get_many(["a", "c"]) == {"a": "123456", "c": "1234"}


def test_cards_and_filter_groups_survive_an_emptied_shared_cache_but_not_an_edit(client):
    home = make_municipality("Kaartstad")
    walk = make_service("Wandelgroep Kaart", municipalities=[home])
    url = f"{reverse('services:list')}?gemeente={home.slug}"

    def rendered():
        response = client.get(url)
        assert response.status_code == 200
        names = [t.name for t in response.templates]
        return (
            names.count("services/includes/card_head.html"),
            names.count("services/includes/facet.html"),
            response.content.decode(),
        )

    cards, groups, first = rendered()
    assert cards >= 1 and groups >= 5
    cache.clear()  # as after a restart of Redis: this process still has them
    cards, groups, again = rendered()
    assert (cards, groups) == (0, 0)
    assert again.count("Wandelgroep Kaart") == first.count("Wandelgroep Kaart")
    walk.name = "Wandelgroep Kaart en Terug"
    walk.save()  # a new version of the service: its card is made again
    cards, _groups, after = rendered()
    assert cards == 1
    assert "Wandelgroep Kaart en Terug" in after


def test_the_facet_choices_are_read_once_per_terms_version():
    make_theme("Bewegen")

    def choices_queries():
        with CaptureQueriesContext(connection) as queries:
            ServiceFilterSet(QueryDict(""), queryset=public_services())
        return [q for q in queries if "services_theme" in q["sql"]]

    cache.clear()
    assert len(choices_queries()) == 1
    assert choices_queries() == []  # the same terms version: kept in the process
    make_theme("Zingen")  # a new term moves the terms' version
    assert len(choices_queries()) == 1
    facet = {
        f.name: f for f in ServiceFilterSet(QueryDict(""), queryset=public_services()).facets()
    }
    assert "Zingen" in [v.label for v in facet["thema"].values]


def test_the_spelling_index_is_found_again_by_its_words(postgres_only):
    make_service("Koffieochtend in de bibliotheek")
    first = vocabulary.spelling_vocabulary()
    cache.clear()  # every version new, the words the same
    assert vocabulary.spelling_vocabulary() is first
    make_service("Breicafe de Steek")  # a new word: a new index that knows it
    changed = vocabulary.spelling_vocabulary()
    assert changed is not first
    assert changed.correct("breicaffe") == "breicafe"


def test_choice_labels_are_the_same_as_djangos_own():
    service = make_service()
    for field in Service._meta.fields:
        if not field.choices:
            continue
        for value in [*(choice for choice, _label in field.flatchoices), "onbekend", None]:
            setattr(service, field.attname, value)
            assert service._get_FIELD_display(field) == models.Model._get_FIELD_display(
                service, field
            ), (field.name, value)
