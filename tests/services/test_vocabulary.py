"""The catalogue's words: the table PostgreSQL keeps by trigger equals the words counted from
the services, after every kind of write (save, QuerySet.update, bulk_create, delete)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services import vocabulary
from services.models import Service
from tests.factories import make_organisation, make_service


def assert_table_matches_services():
    counted = vocabulary.service_words()
    assert vocabulary.stored_service_words() == counted
    return counted


@pytest.mark.django_db
def test_the_word_table_follows_every_kind_of_write(postgres_only):
    first = make_service("Koffieochtend in de bibliotheek")
    draft = make_service("Zwemclub Dolfijn", status=Service.Status.DRAFT)
    words = assert_table_matches_services()
    assert words["koffieochtend"] == 1
    assert "dolfijn" not in words  # drafts are not found, so their words are not known

    draft.status = Service.Status.PUBLISHED
    draft.save()
    assert assert_table_matches_services()["dolfijn"] == 1

    # A bulk write without save() or signals.
    Service.objects.filter(pk=first.pk).update(
        search_name="breicafe in het buurthuis", status=Service.Status.TEMPORARILY_CLOSED
    )
    words = assert_table_matches_services()
    assert "koffieochtend" not in words
    assert words["breicafe"] == 1

    Service.objects.filter(pk=draft.pk).update(status=Service.Status.ARCHIVED)
    assert "dolfijn" not in assert_table_matches_services()

    organisation = make_organisation()
    Service.objects.bulk_create(
        [
            Service(
                name=f"Wandelgroep {n}",
                slug=f"wandelgroep-{n}",
                organisation=organisation,
                status=Service.Status.PUBLISHED,
                search_name=f"wandelgroep {n} wandelgroep",
            )
            for n in range(3)
        ]
    )
    assert assert_table_matches_services()["wandelgroep"] == 6

    Service.objects.filter(search_name__startswith="wandelgroep").delete()
    first.delete()
    words = assert_table_matches_services()
    assert "wandelgroep" not in words and "breicafe" not in words


@pytest.mark.django_db
def test_live_words_are_known_and_others_not_on_both_engines():
    make_service("Koffieochtend in de bibliotheek")
    make_service("Zwemclub Dolfijn", status=Service.Status.DRAFT)
    words = vocabulary.catalogue_words()
    assert "koffieochtend" in words
    assert "dolfijn" not in words
    assert vocabulary.spelling_vocabulary().correct("koffieochtent") == "koffieochtend"


@pytest.mark.django_db
def test_a_cold_vocabulary_reads_the_word_table_not_the_services(postgres_only):
    from django.core.cache import cache

    make_service()
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        vocabulary.catalogue_words()
    # The word table, and the four taxonomies with the synonyms in one query.
    assert len(queries) == 2
    assert not [q for q in queries if 'FROM "services_service"' in q["sql"]]
