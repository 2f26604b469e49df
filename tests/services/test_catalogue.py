import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from services.models import Service
from tests.factories import (
    make_language,
    make_municipality,
    make_service,
    make_support_type,
    make_target_group,
    make_theme,
)

pytestmark = pytest.mark.django_db
LIST = reverse("services:list")


@pytest.fixture
def catalogue(settings):
    """A small catalogue in a home municipality, with national services and a neighbour's."""
    home = make_municipality("Thuisstad", slug="thuisstad")
    other = make_municipality("Anderstad", slug="anderstad")
    settings.DEFAULT_MUNICIPALITY = "thuisstad"
    older = make_target_group("Ouderen", slug="ouderen", description="Mensen van 75 jaar en ouder.")
    carers = make_target_group("Mantelzorgers", slug="mantelzorgers")
    meeting = make_support_type("Ontmoeten", slug="ontmoeten")
    practical = make_support_type("Praktische hulp", slug="praktisch")
    grief = make_theme("Rouw", slug="rouw")
    english = make_language("Engels", code="en", slug="engels")
    services = {
        "walk": make_service(
            "Wandelgroep De Stappers",
            municipalities=[home],
            target_groups=[older],
            support_types=[meeting],
            format=Service.Format.GROUP,
            cost=Service.Cost.FREE,
            min_age=55,
            provided_by=Service.ProvidedBy.VOLUNTEERS,
        ),
        "buddy": make_service(
            "Maatje voor mantelzorgers",
            municipalities=[home],
            target_groups=[carers],
            support_types=[practical],
            format=Service.Format.INDIVIDUAL,
            at_home=True,
            out_of_home=False,
            cost=Service.Cost.PAID,
            cost_amount=10,
            referral_required=True,
            provided_by=Service.ProvidedBy.PROFESSIONALS,
            languages=[english],
        ),
        "line": make_service(
            "De Luisterlijn",
            target_groups=[older, carers],
            support_types=[practical],
            summary="Dag en nacht iemand om mee te praten.",
            by_phone=True,
            out_of_home=False,
            themes=[grief],
            cost=Service.Cost.FREE,
            essence="Een vertrouwelijk gesprek met een cliënt.",
        ),
        "sport": make_service(
            "Buurtsportcoach",
            municipalities=[home],
            target_groups=[older],
            support_types=[meeting],
            cost=Service.Cost.SUBSIDISED,
            max_age=80,
        ),
        "elsewhere": make_service(
            "Koffieochtend Anderstad", municipalities=[other], target_groups=[older]
        ),
        "draft": make_service("Nog een concept", status=Service.Status.DRAFT),
    }
    return services


def names(response):
    return [service.name for service in response.context["object_list"]]


def facet(response, name):
    return {v.value: v for f in response.context["facets"] if f.name == name for v in f.values}


def test_list_starts_unfiltered_with_national_and_own_local_services(client, catalogue):
    response = client.get(LIST)
    assert response.status_code == 200
    assert set(names(response)) == {
        "Wandelgroep De Stappers",
        "Maatje voor mantelzorgers",
        "De Luisterlijn",
        "Buurtsportcoach",
    }
    assert response.context["total"] == 4


def test_facet_counts_are_disjunctive(client, catalogue):
    response = client.get(LIST, {"kosten": "free"})
    assert set(names(response)) == {"Wandelgroep De Stappers", "De Luisterlijn"}
    costs = facet(response, "kosten")
    # Counts for the chosen facet ignore its own choice: the visitor sees what adding gives.
    assert (costs["gratis"].count, costs["betaald"].count, costs["korting"].count) == (2, 1, 1)
    assert costs["gratis"].selected and not costs["betaald"].selected
    # Other facets count within the chosen filters.
    groups = facet(response, "doelgroep")
    assert groups["ouderen"].count == 2
    assert groups["mantelzorgers"].count == 1


def test_values_are_combined_with_or_inside_and_and_across_facets(client, catalogue):
    response = client.get(LIST, {"kosten": ["free", "paid"], "doelgroep": "mantelzorgers"})
    assert set(names(response)) == {"Maatje voor mantelzorgers", "De Luisterlijn"}


def test_group_filter_includes_services_offered_both_ways(client, catalogue):
    make_service("Taalmaatje", format=Service.Format.BOTH)
    response = client.get(LIST, {"vorm": "group"})
    assert set(names(response)) == {"Wandelgroep De Stappers", "Taalmaatje"}


def test_age_keeps_services_whose_range_includes_it(client, catalogue):
    response = client.get(LIST, {"leeftijd": "40"})
    assert "Wandelgroep De Stappers" not in names(response)
    assert "Buurtsportcoach" in names(response)
    response = client.get(LIST, {"leeftijd": "90"})
    assert "Buurtsportcoach" not in names(response)
    assert "Wandelgroep De Stappers" in names(response)


def test_no_referral_needed_and_setting_and_language_facets(client, catalogue):
    assert "Maatje voor mantelzorgers" not in names(client.get(LIST, {"zonder_verwijzing": "1"}))
    assert names(client.get(LIST, {"waar": "at_home"})) == ["Maatje voor mantelzorgers"]
    assert names(client.get(LIST, {"taal": "engels"})) == ["Maatje voor mantelzorgers"]
    assert names(client.get(LIST, {"bereik": "national"})) == ["De Luisterlijn"]


def test_municipality_facet_shows_another_municipalitys_local_services(client, catalogue):
    response = client.get(LIST, {"gemeente": "anderstad"})
    assert set(names(response)) == {"De Luisterlijn", "Koffieochtend Anderstad"}
    counts = facet(response, "gemeente")
    assert counts["thuisstad"].count == 4
    assert counts["anderstad"].count == 2


def test_chosen_municipality_is_remembered_in_a_cookie(client, catalogue):
    response = client.post(
        reverse("services:municipality"), {"gemeente": "anderstad", "next": LIST}
    )
    assert response.status_code == 302
    assert response.cookies["gemeente"].value == "anderstad"
    assert "Koffieochtend Anderstad" in names(client.get(LIST))


def test_unknown_municipality_choice_gives_a_message(client, catalogue):
    response = client.post(reverse("services:municipality"), {"gemeente": "atlantis"})
    assert response.status_code == 400
    assert "Kies een gemeente uit de lijst" in response.content.decode()


def test_chips_link_to_the_list_without_that_value(client, catalogue):
    response = client.get(LIST, {"kosten": ["free", "paid"], "q": "wandel"})
    chips = {label: parse_qs(urlsplit(url).query) for label, url in response.context["chips"]}
    # Every link carries the visitor's municipality, so a shared link shows the same results.
    here = {"gemeente": ["thuisstad"]}
    # Links use the Dutch words, also when the link that led here used the old ones.
    assert chips["Kosten: Gratis"] == {"q": ["wandel"], "kosten": ["betaald"], **here}
    assert chips["Zoekwoord: wandel"] == {"kosten": ["gratis", "betaald"], **here}
    assert "Wis alle filters" in response.content.decode()


def test_shared_links_carry_the_municipality(client, catalogue):
    response = client.get(LIST, {"kosten": "free"}, headers={"HX-Request": "true"})
    assert parse_qs(urlsplit(response["HX-Push-Url"]).query) == {
        "kosten": ["gratis"],
        "gemeente": ["thuisstad"],
    }
    full = client.get(LIST, {"kosten": "free"}).content.decode()
    assert 'data-share-url="/aanbod/?kosten=gratis&amp;gemeente=thuisstad"' in full


def test_unknown_facet_values_are_ignored_with_a_notice(client, catalogue):
    response = client.get(
        LIST, {"kosten": ["free", "gratis-bier"], "doelgroep": "<script>", "leeftijd": "-5"}
    )
    assert response.status_code == 200
    assert set(names(response)) == {"Wandelgroep De Stappers", "De Luisterlijn"}
    body = response.content.decode()
    assert "gratis-bier" in body
    assert "<script>" not in body
    assert "&lt;script&gt;" in body


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x00"},
        {"q": "koffie\x00ochtend"},
        {"q": "x" * 10_000},
        {"q": '<b>vet</b> "quote" \' ; DROP TABLE services_service; --'},
        {"q": "👵🏽 ☕ عزلة שלום"},
        {"q": "a:* & | ! ( ) \\"},
        {"pagina": "-1"},
        {"pagina": "999999999999999999999"},
        {"pagina": "abc"},
        {"pagina": "1e9"},
        {"pagina": "\x00"},
        {"sorteer": "drop"},
        {"leeftijd": "999999999999"},
        {"leeftijd": "abc"},
        {"gemeente": "\x00"},
        {"kosten": "x" * 5000},
    ],
)
def test_hostile_input_never_fails(client, catalogue, params):
    response = client.get(LIST, params)
    # Control characters are refused before any query (sociale_kaart.middleware), with a
    # Dutch page; everything else is ignored or shown safely.
    refused = any("\x00" in value for value in params.values())
    assert response.status_code == (400 if refused else 200)
    if refused:
        assert "Dit verzoek kunnen we niet lezen" in response.content.decode()


def test_out_of_range_page_shows_the_last_page(client, catalogue):
    for n in range(25):
        make_service(f"Extra {n:02}")
    response = client.get(LIST, {"pagina": "99"})
    assert response.context["page_obj"].number == 2
    response = client.get(LIST, {"pagina": "-3"})
    assert response.context["page_obj"].number == 1


def test_sorting(client, catalogue):
    assert names(client.get(LIST, {"sorteer": "name"}))[0] == "Buurtsportcoach"
    by_cost = names(client.get(LIST, {"sorteer": "cost"}))
    assert by_cost[-1] == "Maatje voor mantelzorgers"
    assert set(by_cost[:2]) == {"De Luisterlijn", "Wandelgroep De Stappers"}


def test_zero_results_suggests_which_filter_to_drop(client, catalogue):
    response = client.get(LIST, {"kosten": "paid", "waar": "by_phone"})
    assert response.context["total"] == 0
    relaxations = response.context["relaxations"]
    assert relaxations[0][1] == 1
    labels = [label for label, _count, _url in relaxations]
    assert "Kosten" in labels and "Waar" in labels
    body = response.content.decode()
    assert "Geen resultaten gevonden" in body
    # The helpline is offered on the zero-results page itself (not only in the header).
    no_results = body[body.index("Geen resultaten gevonden") :]
    assert 'href="tel:0123456789"' in no_results
    assert "0123 456 789" in no_results


def test_result_count_is_in_a_live_region(client, catalogue):
    body = client.get(LIST).content.decode()
    assert re.search(r'<p id="result-count"[^>]*aria-live="polite"[^>]*>\s*4 resultaten', body)


def test_htmx_request_gets_the_fragment_and_history_restore_the_full_page(client, catalogue):
    fragment = client.get(LIST, {"kosten": "free"}, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="catalogue"')
    assert "data-hx-swap-oob" in fragment.content.decode()
    full = client.get(
        LIST,
        {"kosten": "free"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in full.content.decode()
    assert "HX-Request" in fragment.get("Vary", "")


def test_catalogue_uses_a_fixed_number_of_queries(client, catalogue, django_assert_max_num_queries):
    params = {"kosten": "free", "doelgroep": "ouderen", "q": "wandel"}
    older = catalogue["walk"].target_groups.first()
    for n in range(3):
        make_service(f"Wandelclub {n}", target_groups=[older])
    cache.clear()  # both cold: new services no longer invalidate the cached facet choices
    # 30 for the page, plus 6 for the catalogue's vocabulary (spelling correction), which is
    # collected once per catalogue version (the cache is cleared: both are cold).
    with django_assert_max_num_queries(36) as small:
        assert client.get(LIST, params).context["total"] == 4
    for n in range(3, 40):
        make_service(f"Wandelclub {n}", target_groups=[older])
    cache.clear()
    with django_assert_max_num_queries(36) as large:
        assert client.get(LIST, params).context["total"] == 41
    assert len(small.captured_queries) == len(large.captured_queries)


def test_detail_page_shows_the_sections_and_json_ld(client, catalogue):
    service = catalogue["line"]
    response = client.get(service.get_absolute_url())
    body = response.content.decode()
    for heading in [
        "Wat is het",
        "Voor wie",
        "Wat kost het",
        "Voorwaarden",
        "Zo meldt u zich aan",
        "Contact",
    ]:
        assert f">{heading}</h2>" in body
    assert 'href="tel:0301234567"' in body
    assert '"@type": "Service"' in body
    assert "Nog niet gecontroleerd" in body


def test_detail_page_of_unpublished_service_is_404(client, catalogue):
    assert client.get(catalogue["draft"].get_absolute_url()).status_code == 404


def test_detail_page_uses_a_fixed_number_of_queries(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        client.get(catalogue["walk"].get_absolute_url())


def test_shortlist_keeps_services_in_a_cookie_and_shares_a_link(client, catalogue):
    walk, line = catalogue["walk"], catalogue["line"]
    for service in (walk, line):
        response = client.post(
            reverse("services:toggle_shortlist", args=[service.slug]), {"next": LIST}
        )
        assert response.status_code == 302 and response["Location"] == LIST
    assert client.cookies["mijnlijst"].value == f"{walk.pk}.{line.pk}"
    response = client.get(reverse("services:shortlist"))
    assert [s.name for s in response.context["services"]] == [walk.name, line.name]
    assert f"?d={walk.pk}.{line.pk}" in response.context["share_url"]
    assert response.context["mailto"].startswith("mailto:?subject=Hulp%20en%20activiteiten")
    assert "De%20Luisterlijn" in response.context["mailto"]
    # The share link opens the same list on another device (a fresh client, no cookie).
    other = client.__class__()
    shared = other.get(reverse("services:shortlist"), {"d": f"{walk.pk}.{line.pk}"})
    assert [s.name for s in shared.context["services"]] == [walk.name, line.name]
    other.post(reverse("services:keep_shortlist"), {"d": f"{walk.pk}.{line.pk}"})
    assert other.cookies["mijnlijst"].value == f"{walk.pk}.{line.pk}"
    # Toggling again removes it.
    client.post(reverse("services:toggle_shortlist", args=[walk.slug]))
    assert client.cookies["mijnlijst"].value == str(line.pk)


def test_shortlist_ignores_junk_and_unpublished_ids(client, catalogue):
    response = client.get(
        reverse("services:shortlist"), {"d": f"x.{catalogue['draft'].pk}.-1.%00.99999999"}
    )
    assert response.status_code == 200
    assert response.context["services"] == []
    client.cookies["mijnlijst"] = "<script>.1e9.%00"
    assert client.get(reverse("services:shortlist")).status_code == 200


def test_toggle_redirect_refuses_other_hosts(client, catalogue):
    response = client.post(
        reverse("services:toggle_shortlist", args=[catalogue["walk"].slug]),
        {"next": "https://evil.example.com/"},
    )
    assert response["Location"] == catalogue["walk"].get_absolute_url()


def test_compare_shows_differences_and_holds_at_most_four(client, catalogue):
    for key in ("walk", "buddy", "line", "sport"):
        client.post(reverse("services:toggle_compare", args=[catalogue[key].slug]))
    response = client.post(
        reverse("services:toggle_compare", args=[catalogue["elsewhere"].slug]), follow=True
    )
    assert "hoogstens 4" in response.content.decode()
    response = client.get(reverse("services:compare"))
    assert len(response.context["services"]) == 4
    rows = {row["label"]: row for row in response.context["rows"]}
    assert rows["Kosten"]["different"]
    assert dict(rows["Kosten"]["cells"])["Maatje voor mantelzorgers"] == "Betaald: € 10,00"
    assert 'class="is-different"' in response.content.decode()


def test_compare_page_query_count_is_fixed(client, catalogue, django_assert_max_num_queries):
    ids = ".".join(str(catalogue[k].pk) for k in ("walk", "buddy", "line", "sport"))
    with django_assert_max_num_queries(9):
        client.get(reverse("services:compare"), {"d": ids})


def test_error_report_is_stored_and_spam_is_not(client, catalogue):
    import time

    from django.core import signing

    from services.catalogue.forms import FORM_SALT
    from services.models import ErrorReport

    url = reverse("services:report", args=[catalogue["line"].slug])
    started = signing.dumps(time.time() - 10, salt=FORM_SALT)
    response = client.post(
        url, {"topic": "out_of_date", "message": "Het nummer klopt niet.", "started": started}
    )
    assert response.status_code == 302
    assert ErrorReport.objects.get().message == "Het nummer klopt niet."
    # Honeypot filled, or sent faster than a person can: thanked, not stored.
    client.post(url, {"topic": "other", "website": "http://spam", "started": started})
    client.post(url, {"topic": "other", "started": signing.dumps(time.time(), salt=FORM_SALT)})
    assert ErrorReport.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"topic": "bogus"},
        {"topic": "other", "message": "x" * 5000},
        {"topic": "other", "message": "nul\x00byte"},
        {"topic": "other", "started": "tampered"},
        {},
    ],
)
def test_error_report_with_bad_input_keeps_what_was_typed(client, catalogue, data):
    import time

    from django.core import signing

    from services.catalogue.forms import FORM_SALT
    from services.models import ErrorReport

    data = {"started": signing.dumps(time.time() - 10, salt=FORM_SALT), **data}
    response = client.post(reverse("services:report", args=[catalogue["line"].slug]), data)
    assert response.status_code == 400
    assert ErrorReport.objects.count() == 0
    if "message" in data and "\x00" not in data["message"]:
        assert data["message"][:100] in response.content.decode()


def test_error_reports_are_rate_limited(client, catalogue):
    import time

    from django.core import signing
    from django.core.cache import cache

    from services.catalogue.forms import FORM_SALT
    from services.models import ErrorReport

    cache.clear()
    url = reverse("services:report", args=[catalogue["line"].slug])
    for _ in range(8):
        client.post(
            url, {"topic": "other", "started": signing.dumps(time.time() - 10, salt=FORM_SALT)}
        )
    assert ErrorReport.objects.count() == 5


def test_autocomplete_suggests_services_themes_and_groups(client, catalogue):
    response = client.get(reverse("services:suggestions"), {"q": "mantel"})
    body = response.content.decode()
    assert "Maatje voor mantelzorgers" in body
    assert "doelgroep=mantelzorgers" in body
    for hostile in ["x" * 10_000, "<img src=x>", ""]:
        assert client.get(reverse("services:suggestions"), {"q": hostile}).status_code == 200
    assert client.get(reverse("services:suggestions"), {"q": "\x00"}).status_code == 400


def test_home_shows_tiles_with_counts_and_the_helpline(client, catalogue):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Rouw" in body and "1 resultaat" in body
    assert "tel:0123456789" in body


def test_cached_counts_follow_changes_at_once(client, catalogue):
    assert client.get(LIST).context["total"] == 4
    assert facet(client.get(LIST), "kosten")["gratis"].count == 2
    make_service("Nieuwe wandelgroep", municipalities=[catalogue["walk"].municipalities.first()])
    response = client.get(LIST)
    assert response.context["total"] == 5
    assert facet(response, "kosten")["gratis"].count == 3
    catalogue["line"].status = Service.Status.ARCHIVED
    catalogue["line"].save()
    assert client.get(LIST).context["total"] == 4


def test_a_warm_catalogue_page_needs_few_queries(client, catalogue, django_assert_max_num_queries):
    client.get(LIST, {"kosten": "free"})
    # One more than before sessions: the cards' "Volgende keer" reads them in one query.
    with django_assert_max_num_queries(9):
        client.get(LIST, {"kosten": "free"})


def test_unknown_costs_are_a_value_of_their_own(client, catalogue):
    make_service("Onbekende kosten", cost=Service.Cost.UNKNOWN)
    response = client.get(LIST, {"kosten": "unknown"})
    assert names(response) == ["Onbekende kosten"]
    with pytest.raises(Exception):  # noqa: B017 - a ValidationError from full_clean
        make_service("Onbekend met bedrag", cost=Service.Cost.UNKNOWN, cost_amount=5)


def test_related_services_share_a_theme_or_kind_of_support_and_stay_local(client, catalogue):
    other = catalogue["elsewhere"]
    other.support_types.add(catalogue["walk"].support_types.first())
    related = client.get(catalogue["walk"].get_absolute_url()).context["related"]
    assert [s.name for s in related] == ["Buurtsportcoach"]


def test_related_services_put_help_nearby_first_and_fill_up_with_national_ones(settings):
    """Local services of the visitor's municipality first (most shared themes, then name),
    national ones only to fill up to four; none from another municipality."""
    home = make_municipality("Dichtbij", slug="dichtbij")
    elsewhere = make_municipality("Verweg", slug="verweg")
    settings.DEFAULT_MUNICIPALITY = "dichtbij"
    lonely, grief = make_theme("Eenzaamheid"), make_theme("Rouw")
    service = make_service("Praatgroep", municipalities=[home], themes=[lonely, grief])
    make_service("Zz buurtkamer", municipalities=[home], themes=[lonely])
    make_service("Aa rouwcafe", municipalities=[home], themes=[lonely, grief])
    make_service("Landelijke rouwlijn", themes=[lonely, grief])
    make_service("Landelijke belwinkel", themes=[lonely])
    make_service("Landelijk zonder thema")
    make_service("Elders rouwcafe", municipalities=[elsewhere], themes=[lonely, grief])
    first = Client().get(service.get_absolute_url()).context["related"]
    assert [s.name for s in first] == [
        "Aa rouwcafe",
        "Zz buurtkamer",
        "Landelijke rouwlijn",
        "Landelijke belwinkel",
    ]
    # With four local ones, no national service takes a place.
    for n in range(2):
        make_service(f"Buurtgroep {n}", municipalities=[home], themes=[lonely])
    cache.clear()
    again = Client().get(service.get_absolute_url()).context["related"]
    assert [s.name for s in again] == [
        "Aa rouwcafe",
        "Buurtgroep 0",
        "Buurtgroep 1",
        "Zz buurtkamer",
    ]


def test_an_empty_error_report_comes_back_with_an_error_summary_at_the_top(client, catalogue):
    service = catalogue["walk"]
    url = reverse("services:report", args=[service.slug])
    response = client.post(url, {"topic": "", "message": "", "started": "x"})
    assert response.status_code == 400
    page = response.content.decode()
    summary = page.index('class="error-summary"')
    assert summary < page.index('name="topic"')
    assert 'href="#id_topic_0"' in page
    assert f'action="{url}#meld-fouten"' in page
    assert 'aria-describedby="id_message_helptext"' in page
    assert 'id="id_message_helptext"' in page


def test_reloading_the_report_address_goes_back_to_the_form(client, catalogue):
    service = catalogue["walk"]
    response = client.get(reverse("services:report", args=[service.slug]))
    assert response.status_code == 302
    assert response["Location"] == service.get_absolute_url() + "#meld"


def test_compare_shows_only_differences_on_request_and_the_new_rows(client, catalogue):
    ids = ".".join(str(catalogue[k].pk) for k in ("walk", "line"))
    full = client.get(reverse("services:compare"), {"d": ids})
    labels = [row["label"] for row in full.context["rows"]]
    for label in ("Volgende keer", "Waar (adres)", "Toegankelijkheid", "Zo meldt u zich aan"):
        assert label in labels
    only = client.get(reverse("services:compare"), {"d": ids, "verschillen": "1"})
    assert only.context["rows"] and all(row["different"] for row in only.context["rows"])
    assert len(only.context["rows"]) < len(full.context["rows"])


def test_the_list_lives_until_the_browser_closes_unless_kept(client, catalogue):
    walk = catalogue["walk"]
    response = client.post(reverse("services:toggle_shortlist", args=[walk.slug]))
    assert response.cookies["mijnlijst"]["max-age"] == ""  # a session cookie
    response = client.post(reverse("services:remember_shortlist"), {"onthouden": "1"})
    assert response.cookies["mijnlijst"]["max-age"] == 60 * 60 * 24 * 180
    assert response.cookies["lijst_onthouden"].value == "1"
    page = client.get(reverse("services:shortlist")).content.decode()
    assert "Uw lijst blijft 180 dagen op dit apparaat." in page
    assert '<span class="badge">1<span class="visually-hidden"> dienst</span>' in page
    response = client.post(reverse("services:clear_shortlist"))
    assert response.cookies["mijnlijst"].value == ""
    assert "Uw lijst is nog leeg" in client.get(reverse("services:shortlist")).content.decode()


def test_a_mistyped_word_is_corrected_and_the_typed_word_offered(client, catalogue):
    response = client.get(LIST, {"q": "luistrelijn"})
    assert names(response) == ["De Luisterlijn"]
    body = response.content.decode()
    assert "Resultaten voor <em>luisterlijn</em>." in body
    assert "Zocht u toch" in body
    typed = re.search(r'<a href="([^"]+)"><em>luistrelijn</em></a>', body).group(1)
    exact = client.get(typed.replace("&amp;", "&"))
    assert names(exact) == []
    assert "Resultaten voor" not in exact.content.decode()


def test_a_search_word_that_names_a_filter_value_is_offered_as_that_filter(client, catalogue):
    response = client.get(LIST, {"q": "gratis wandelgroep"})
    # "gratis" is not required in the text: the walking group says nothing about money.
    assert names(response) == ["Wandelgroep De Stappers"]
    offer = re.search(
        r'search-offer"><a href="([^"]+)">Alleen gratis aanbod tonen\?', response.content.decode()
    )
    query = parse_qs(urlsplit(offer.group(1).replace("&amp;", "&")).query)
    assert query["kosten"] == ["gratis"]


def test_words_that_match_nothing_together_show_the_best_partial_matches(client, catalogue):
    response = client.get(LIST, {"q": "wandelgroep luisterlijn"})
    assert set(names(response)) == {"Wandelgroep De Stappers", "De Luisterlijn"}
    assert 'id="search-partial"' in response.content.decode()
    response = client.get(LIST, {"q": "luisterlijn qqqxyz"})
    assert names(response) == ["De Luisterlijn"]
    assert "telden niet mee: qqqxyz" in response.content.decode()


def test_no_results_for_words_alone_does_not_blame_the_choices(client, catalogue):
    body = client.get(LIST, {"q": "qqqxyz"}).content.decode()
    assert "geen aanbod gevonden met deze zoekwoorden" in body
    assert "al uw keuzes samen" not in body


def test_detail_page_without_contact_points_to_the_helpline(client, catalogue, settings):
    service = make_service("Landelijke lijn zonder nummer", phone="", contact_pending=True)
    body = client.get(service.get_absolute_url()).content.decode()
    assert "Contactgegevens volgen; bel ons op" in body
    assert settings.HELPLINE_PHONE in body


def test_links_repeat_only_known_parameters(client, catalogue):
    for n in range(25):
        make_service(f"Wandelgroep {n}", municipalities=[catalogue["walk"].municipalities.first()])
    junk = {f"onbekend{n}": "x" * 100 for n in range(30)}
    plain = client.get(LIST, {"q": "wandel"})
    response = client.get(LIST, {"q": "wandel", **junk})
    body = response.content.decode()
    assert response.status_code == 200
    assert "onbekend" not in body
    assert len(body) < len(plain.content.decode()) + 5000
    assert "pagina=2" in body


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"kosten": "free"}, {"kosten": "gratis"}),
        ({"vorm": "group"}, {"vorm": "groep"}),
        ({"waar": "at_home"}, {"waar": "thuis"}),
        ({"bereik": "national"}, {"bereik": "landelijk"}),
        ({"door": "volunteers"}, {"door": "vrijwilligers"}),
    ],
)
def test_links_use_dutch_words_and_old_english_links_still_work(client, catalogue, old, new):
    before = names(client.get(LIST, old))
    after = client.get(LIST, new)
    assert names(after) == before and before
    assert not after.context["ignored"]
    [(name, value)] = new.items()
    assert f"{name}={value}" in client.get(LIST, old).context["share_url"]


def test_old_support_type_links_still_work_and_show_the_dutch_slug(client, db):
    from services.models import SupportType

    practical = SupportType.objects.create(name="Praktische hulp", slug="praktische-hulp")
    make_service("Klusdienst", support_types=[practical])
    response = client.get(LIST, {"steun": "practical"})
    assert names(response) == ["Klusdienst"]
    assert "steun=praktische-hulp" in response.context["share_url"]
