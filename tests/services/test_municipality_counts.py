"""Each municipality's number of live services: the table PostgreSQL keeps by trigger equals
the count made from the services, after every kind of write, and the catalogue's municipality
facet shows the same counts on both engines."""

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from services.models import MunicipalityCount, Service
from tests.factories import make_municipality, make_service


def counted():
    return {
        row["municipality_id"]: row["n"]
        for row in Service.municipalities.through.objects.filter(
            service__status__in=["published", "temporarily_closed"]
        )
        .values("municipality_id")
        .annotate(n=Count("service_id"))
    }


def assert_table_matches():
    expected = counted()
    assert dict(MunicipalityCount.objects.values_list("municipality_id", "live_services")) == (
        expected
    )
    return expected


@pytest.mark.django_db
def test_the_count_table_follows_every_kind_of_write(postgres_only):
    north, south = make_municipality("Noorddorp"), make_municipality("Zuiddorp")
    first = make_service(municipalities=[north])
    both = make_service(municipalities=[north, south])
    draft = make_service(municipalities=[south], status=Service.Status.DRAFT)
    assert assert_table_matches() == {north.pk: 2, south.pk: 1}

    draft.status = Service.Status.PUBLISHED
    draft.save()
    assert assert_table_matches()[south.pk] == 2
    Service.objects.filter(pk=both.pk).update(status=Service.Status.ARCHIVED)
    assert assert_table_matches() == {north.pk: 1, south.pk: 1}
    Service.objects.filter(pk=both.pk).update(status=Service.Status.TEMPORARILY_CLOSED)
    assert_table_matches()

    first.municipalities.remove(north)
    first.municipalities.add(south)
    assert assert_table_matches() == {north.pk: 1, south.pk: 3}
    south.services.clear()
    assert assert_table_matches() == {north.pk: 1}
    both.delete()
    assert assert_table_matches() == {}


@pytest.mark.django_db
def test_the_municipality_facet_counts_live_services_on_both_engines():
    north, south = make_municipality("Noorddorp"), make_municipality("Zuiddorp")
    make_service(municipalities=[north])
    make_service(municipalities=[north, south])
    make_service(municipalities=[south], status=Service.Status.DRAFT)
    make_service()  # national: counts in every municipality with local services
    response = Client().get(reverse("services:list"))
    facets = {facet.name: facet for facet in response.context["facets"]}
    counts = {value.value: value.count for value in facets["gemeente"].values}
    assert counts[north.slug] == 3
    assert counts[south.slug] == 2


@pytest.mark.django_db
def test_a_cold_catalogue_without_filters_reads_the_counts_not_the_links(postgres_only):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    north = make_municipality("Noorddorp")
    make_service(municipalities=[north])
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        Client().get(reverse("services:list"))
    counting_links = [
        q["sql"]
        for q in queries
        if 'FROM "services_service_municipalities"' in q["sql"] and "GROUP BY" in q["sql"]
    ]
    assert counting_links == []
    assert any('FROM "services_municipalitycount"' in q["sql"] for q in queries)


@pytest.mark.django_db
def test_with_a_filter_other_municipalities_are_offered_without_a_count():
    """Counting every other municipality would search the whole country for each filter
    state: they are offered as a choice without a number; the one in view is counted."""
    from tests.factories import make_target_group

    north, south = make_municipality("Noorddorp"), make_municipality("Zuiddorp")
    group = make_target_group("Ouderen")
    make_service(municipalities=[north], target_groups=[group])
    make_service(municipalities=[south], target_groups=[group])
    make_service(target_groups=[group])  # national
    client = Client()
    client.post(reverse("services:municipality"), {"gemeente": north.slug})
    response = client.get(reverse("services:list"), {"doelgroep": group.slug})
    facets = {facet.name: facet for facet in response.context["facets"]}
    counts = {value.value: value.count for value in facets["gemeente"].values}
    assert counts == {north.slug: 2, south.slug: None}
    html = response.content.decode()
    # The municipality in view is a checkbox with its count; the others are in one select.
    assert f'id="f-gemeente-{north.slug}"' in html
    assert f'<option value="{south.slug}">Zuiddorp</option>' in html
    unfiltered = client.get(reverse("services:list"))
    facets = {facet.name: facet for facet in unfiltered.context["facets"]}
    assert {v.value: v.count for v in facets["gemeente"].values} == {north.slug: 2, south.slug: 2}
    assert f'<option value="{south.slug}">Zuiddorp (2)</option>' in unfiltered.content.decode()
    # Choosing it in the select (and the empty "– Kies –" sent with it) gives its view.
    chosen = client.get(reverse("services:list"), {"gemeente": [south.slug, ""]})
    assert chosen.context["total"] == 2
    assert not chosen.context["ignored"]
