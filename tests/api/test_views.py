import json
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services import hsds
from services.filters import ServiceFilterSet
from services.models import Location, OpeningPeriod, Service
from tests.factories import (
    make_municipality,
    make_organisation,
    make_service,
    make_support_type,
    make_target_group,
)
from tests.hsds_schemas import MODES, errors

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent.parent / "fixtures" / "hsds"


def url(name, **kwargs):
    return reverse(f"hsds_api:{name}", kwargs=kwargs)


@pytest.fixture
def catalogue():
    """Five feed services (one closed, one ended), one draft; terms, ages and hours vary."""
    older = make_target_group("Ouderen", slug="ouderen")
    young = make_target_group("Jongeren", slug="jongeren")
    meeting = make_support_type("Ontmoeten", slug="ontmoeten")
    town = make_municipality("Voorbeeldstad", cbs_code="GM9999")
    library = make_organisation("Bibliotheek", phone="020 123 45 67")
    walk = make_service(
        "Wandelclub",
        organisation=library,
        municipalities=[town],
        target_groups=[older],
        support_types=[meeting],
        min_age=55,
        format=Service.Format.GROUP,
    )
    place = Location.objects.create(service=walk, name="Park", place="Voorbeeldstad")
    OpeningPeriod.objects.create(location=place, weekday=2, opens=time(10), closes=time(12))
    cafe = make_service(
        "Taalcafé",
        organisation=library,
        target_groups=[young],
        max_age=25,
        format=Service.Format.BOTH,
    )
    room = Location.objects.create(service=cafe, name="Zaal", place="Voorbeeldstad")
    OpeningPeriod.objects.create(location=room, weekday=4, opens=time(19), closes=time(21))
    line = make_service("Luisterlijn", target_groups=[older])
    closed = make_service(
        "Koffieochtend", status=Service.Status.TEMPORARILY_CLOSED, target_groups=[older]
    )
    ended = make_service("Oude club", status=Service.Status.ARCHIVED, target_groups=[older])
    draft = make_service("Concept", status=Service.Status.DRAFT, target_groups=[older])
    return {
        "walk": walk,
        "cafe": cafe,
        "line": line,
        "closed": closed,
        "ended": ended,
        "draft": draft,
        "older": older,
        "ontmoeten": meeting,
        "library": library,
    }


def names(response):
    assert response.status_code == 200, response.content
    return sorted(item["name"] for item in response.json()["contents"])


def test_index_names_version_profile_and_openapi_url(client, catalogue):
    data = client.get(url("index")).json()
    assert data["version"] == "3.0"
    assert client.get(data["openapi_url"]).json()["openapi"] == "3.1.0"
    assert client.get(data["profile"]).json()["hsds_version"] == "3.0"


def test_services_page_envelope_and_contents_validate(client, catalogue):
    response = client.get(url("services"), {"per_page": 2, "page": 2})
    data = response.json()
    assert {k: v for k, v in data.items() if k != "contents"} == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 2,
        "size": 2,
        "first_page": False,
        "last_page": False,
        "empty": False,
    }
    for item in data["contents"]:
        for schema_set, strict in MODES:
            assert errors(item, "service", schema_set, strict) == []


def test_feed_holds_closed_and_ended_services_with_their_status_never_drafts(client, catalogue):
    contents = client.get(url("services")).json()["contents"]
    assert {item["name"]: item["status"] for item in contents} == {
        "Wandelclub": "active",
        "Taalcafé": "active",
        "Luisterlijn": "active",
        "Koffieochtend": "temporarily closed",
        "Oude club": "defunct",
    }


def test_full_services_and_service_detail_validate_in_every_mode(client, catalogue):
    for item in client.get(url("services"), {"full": "true"}).json()["contents"]:
        for schema_set, strict in MODES:
            assert errors(item, "service", schema_set, strict) == []
    walk = hsds.uid(catalogue["walk"])
    detail = client.get(url("service", service_id=walk)).json()
    assert detail["service_at_locations"][0]["location"]["schedules"][0]["byday"] == "TU"
    for schema_set, strict in MODES:
        assert errors(detail, "service", schema_set, strict) == []


def test_draft_and_unknown_services_are_404_json(client, catalogue):
    for service_id in (hsds.uid(catalogue["draft"]), "8d1c2a0e-5a6b-4cfb-9d1e-3a9d8b1f4c21", "x"):
        response = client.get(url("service", service_id=service_id))
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_minimal_gives_id_and_last_modified_only(client, catalogue):
    contents = client.get(url("services"), {"minimal": "true"}).json()["contents"]
    assert {tuple(sorted(item)) for item in contents} == {("id", "last_modified")}


def test_taxonomy_term_filter_means_what_the_catalogue_facet_means(client, catalogue):
    older = hsds.uid(catalogue["older"])
    api = names(client.get(url("services"), {"taxonomy_term_id": older}))
    catalogue_qs = ServiceFilterSet(
        {"doelgroep": ["ouderen"]}, queryset=hsds.feed_queryset()
    ).filter_except(hsds.feed_queryset(), skip={"gemeente"})
    assert api == sorted(catalogue_qs.values_list("name", flat=True))
    assert "Concept" not in api


def test_characteristic_term_counts_both_as_group(client, catalogue):
    group = next(
        hsds.characteristic_object(c)["id"]
        for c in hsds.CHARACTERISTICS
        if c.code == "format:group"
    )
    assert names(client.get(url("services"), {"taxonomy_term_id": group})) == [
        "Taalcafé",
        "Wandelclub",
    ]


def test_parameters_are_cumulative(client, catalogue):
    library = hsds.uid(catalogue["library"])
    older = hsds.uid(catalogue["older"])
    assert names(client.get(url("services"), {"organization_id": library})) == [
        "Taalcafé",
        "Wandelclub",
    ]
    assert names(
        client.get(url("services"), {"organization_id": library, "taxonomy_term_id": older})
    ) == ["Wandelclub"]
    support = hsds.TAXONOMY_BY_KEY["support_type"].id
    assert names(client.get(url("services"), {"taxonomy_id": support})) == ["Wandelclub"]


def test_ages_use_the_catalogue_age_rule(client, catalogue):
    assert "Wandelclub" not in names(client.get(url("services"), {"minimum_age": 30}))
    assert "Taalcafé" in names(client.get(url("services"), {"minimum_age": 20}))
    assert "Taalcafé" not in names(
        client.get(url("services"), {"minimum_age": 20, "maximum_age": 30})
    )


def test_day_and_times_filter_on_opening_hours(client, catalogue):
    assert names(client.get(url("services"), {"day": "TU"})) == ["Wandelclub"]
    assert names(client.get(url("services"), {"start_time": "18:00"})) == ["Taalcafé"]
    assert names(client.get(url("services"), {"day": "TH", "end_time": "12:00"})) == []
    # 18:00 UTC in winter is 19:00 in Amsterdam; the summer offset would make it 20:00.
    assert names(client.get(url("services"), {"day": "th", "start_time": "17:00Z"})) == ["Taalcafé"]


def test_modified_after_and_search(client, catalogue):
    Service.objects.filter(pk=catalogue["line"].pk).update(
        modified=timezone.now() + timedelta(days=1)
    )
    later = (timezone.now() + timedelta(hours=12)).isoformat()
    assert names(client.get(url("services"), {"modified_after": later})) == ["Luisterlijn"]
    assert names(client.get(url("services"), {"search": "wandel"})) == ["Wandelclub"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("page", "0"),
        ("page", "twee"),
        ("page", "²"),
        ("per_page", "100000"),
        ("per_page", "-1"),
        ("taxonomy_term_id", "not-a-uuid"),
        ("organization_id", "1"),
        ("modified_after", "gisteren"),
        ("modified_after", "2026-13-45"),
        ("minimum_age", "oud"),
        ("minimum_age", "nan"),
        ("maximum_age", "1e400"),
        ("day", "maandag"),
        ("start_time", "25:00"),
        ("end_time", "noon"),
        ("full", "misschien"),
        ("format", "xml"),
    ],
)
def test_bad_values_are_400_json_with_the_parameter(client, catalogue, name, value):
    response = client.get(url("services"), {name: value})
    assert response.status_code == 400, (name, value)
    data = response.json()
    assert data["parameter"] == name
    assert data["error"] == "bad_parameter"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.dictionaries(
        st.sampled_from(
            [
                "search",
                "page",
                "per_page",
                "taxonomy_term_id",
                "taxonomy_id",
                "organization_id",
                "modified_after",
                "minimal",
                "full",
                "format",
                "minimum_age",
                "maximum_age",
                "day",
                "start_time",
                "end_time",
            ]
        ),
        st.text(max_size=30),
        max_size=5,
    )
)
def test_any_query_is_answered_with_json_never_a_500(client, query):
    response = client.get(url("services"), query)
    assert response.status_code in (200, 400)
    if query.get("format", "").strip().lower() == "ndjson" and response.status_code == 200:
        return
    assert isinstance(response.json(), dict)


def test_ndjson_streams_every_result_without_pages(client, catalogue):
    response = client.get(url("services"), {"format": "ndjson", "per_page": 1, "full": "true"})
    assert response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    documents = [json.loads(line) for line in lines]
    assert len(documents) == 5
    assert all(errors(d) == [] for d in documents)


def test_every_response_allows_any_origin(client, catalogue):
    for name in ("index", "services", "taxonomies", "taxonomy_terms", "organizations"):
        assert client.get(url(name))["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        url("services"),
        HTTP_ORIGIN="https://elders.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"].lower()


def test_etag_and_last_modified_let_readers_poll_cheaply(client, catalogue):
    first = client.get(url("services"))
    assert first["Cache-Control"].startswith("public") or "public" in first["Cache-Control"]
    assert first["Last-Modified"]
    again = client.get(url("services"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    catalogue["line"].name = "Luisterlijn 24/7"
    catalogue["line"].save()
    changed = client.get(url("services"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_requests_are_throttled_per_address(client, catalogue, settings):
    settings.HSDS_API_RATE = (3, 60)
    statuses = [client.get(url("index")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get(url("index"))
    assert int(limited["Retry-After"]) > 0
    other = client.get(url("index"), REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 200


def test_only_get_and_head(client, catalogue):
    response = client.post(url("services"))
    assert response.status_code == 405
    assert client.head(url("services")).status_code == 200


def test_taxonomies_and_terms_validate(client, catalogue):
    taxonomies = client.get(url("taxonomies")).json()["contents"]
    assert len(taxonomies) == 4
    for taxonomy in taxonomies:
        assert client.get(url("taxonomy", taxonomy_id=taxonomy["id"])).json() == taxonomy
        for schema_set, strict in MODES:
            assert errors(taxonomy, "taxonomy", schema_set, strict) == []
    support = hsds.TAXONOMY_BY_KEY["support_type"].id
    terms = client.get(url("taxonomy_terms"), {"taxonomy_id": support}).json()["contents"]
    assert [t["code"] for t in terms] == ["ontmoeten"]
    assert client.get(url("taxonomy_term", term_id=terms[0]["id"])).json() == terms[0]
    everything = client.get(url("taxonomy_terms"), {"per_page": 200}).json()["contents"]
    for term in everything:
        for schema_set, strict in MODES:
            assert errors(term, "taxonomy_term", schema_set, strict) == []


def test_organizations_list_only_providers_of_the_feed(client, catalogue):
    contents = client.get(url("organizations"), {"per_page": 200}).json()["contents"]
    assert "Bibliotheek" in [o["name"] for o in contents]
    assert catalogue["draft"].organisation.name not in [o["name"] for o in contents]
    library = client.get(url("organization", organization_id=hsds.uid(catalogue["library"])))
    assert library.json()["phones"][0]["number"] == "+31201234567"
    for schema_set, strict in MODES:
        assert errors(library.json(), "organization", schema_set, strict) == []


def test_service_at_locations_follow_the_service_filters(client, catalogue):
    data = client.get(url("service_at_locations"), {"day": "TU"}).json()
    assert [item["location"]["name"] for item in data["contents"]] == ["Park"]
    for schema_set, strict in MODES:
        assert errors(data["contents"][0], "service_at_location", schema_set, strict) == []


def test_full_services_take_a_fixed_number_of_queries(
    client, catalogue, django_assert_max_num_queries
):
    for n in range(10):
        make_service(f"Extra {n}", target_groups=[catalogue["older"]])
    with django_assert_max_num_queries(16):
        response = client.get(url("services"), {"full": "true", "per_page": 50})
    assert response.json()["size"] == 15


def test_openapi_lists_every_hsds_and_oruk_service_parameter(client):
    ours = client.get(url("openapi")).json()
    ours_params = {
        p["$ref"].rsplit("/", 1)[1] for p in ours["paths"]["/services"]["get"]["parameters"]
    }
    for standard in ("hsds-3.0", "oruk-3.0"):
        spec = json.loads((FIXTURES / standard / "openapi.json").read_text())
        theirs = {
            p["$ref"].rsplit("/", 1)[1]
            for p in spec["paths"]["/services"]["get"]["parameters"]
            if "$ref" in p
        }
        assert theirs <= ours_params, (standard, theirs - ours_params)
