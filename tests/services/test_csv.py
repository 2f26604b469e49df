"""CSV export of filtered admin lists, and all-or-nothing CSV import of services."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from services.curation import csv_io
from services.models import Service, ServiceVersion
from tests.services.curation_fixtures import build_world, reload

pytestmark = pytest.mark.django_db
IMPORT = "admin:services_service_import"


@pytest.fixture
def world():
    return build_world()


def upload(client, text):
    """Step one: upload and check (nothing is written)."""
    data = {"file": SimpleUploadedFile("diensten.csv", text.encode("utf-8"), "text/csv")}
    return client.post(reverse(IMPORT), data)


def upload_and_import(client, text):
    """Both steps: upload, then "Importeer" (the file waits in the session between them)."""
    checked = upload(client, text)
    assert checked.status_code == 200
    if checked.context["digest"] is None:
        return checked  # the check found errors: there is no "Importeer"
    return client.post(reverse(IMPORT), {"confirm": checked.context["digest"]})


def csv_text(rows, columns=("name", "organisation", "scope", "municipalities", "out_of_home")):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def exported(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))


def test_export_follows_the_filters_and_the_scope(client, world):
    Service.objects.filter(pk=world.neighbour.pk).update(status=Service.Status.DRAFT)
    client.force_login(world.curator)
    url = reverse("admin:services_service_export")
    rows = exported(client.get(url, {"status__exact": "published"}))
    assert rows[0] == csv_io.headers()
    names = {row[1] for row in rows[1:]}
    assert names == {"Koffie-ochtend", "Luisterlijn"}  # not the draft, not Daarstad's


def test_export_for_a_partner_holds_only_own_services(client, world):
    client.force_login(world.partner)
    rows = exported(client.get(reverse("admin:services_service_export")))
    assert [row[1] for row in rows[1:]] == ["Koffie-ochtend"]


def test_export_of_another_admin_list(client, world):
    from tests.services.curation_fixtures import report

    report(world.neighbour)
    report(world.elsewhere)
    client.force_login(world.curator)
    rows = exported(client.get(reverse("admin:services_errorreport_export")))
    assert len(rows) == 2


def test_export_neutralises_formulas(client, world):
    Service.objects.filter(pk=world.ours.pk).update(summary="=HYPERLINK(1)")
    client.force_login(world.partner)
    rows = exported(client.get(reverse("admin:services_service_export")))
    assert rows[1][3] == "'=HYPERLINK(1)"


def test_phone_desk_cannot_export(client, world):
    client.force_login(world.phone)
    assert client.get(reverse("admin:services_service_export")).status_code == 403


def test_valid_import_creates_services_with_history(client, world):
    client.force_login(world.curator)
    text = csv_text(
        [
            ["Taalcafé", "Eigen Welzijn", "local", "Hierdorp", "ja"],
            ["Tuinclub", "Ander Huis", "local", "hierdorp", "ja"],
        ]
    )
    response = upload_and_import(client, text)
    assert response.status_code == 302
    created = Service.objects.get(name="Taalcafé")
    assert created.status == Service.Status.DRAFT
    assert list(created.municipalities.all()) == [world.here]
    version = created.versions.get()
    assert version.source == ServiceVersion.Source.IMPORT
    assert version.user == world.curator


def test_the_check_writes_nothing_and_offers_importeer(client, world):
    client.force_login(world.curator)
    before = Service.objects.count()
    response = upload(client, csv_text([["Taalcafé", "Eigen Welzijn", "local", "Hierdorp", "ja"]]))
    assert response.status_code == 200
    assert [row.errors for row in response.context["rows"]] == [[]]
    assert [row.action for row in response.context["rows"]] == ["nieuw"]
    assert 'value="Importeer"' in response.content.decode()
    assert Service.objects.count() == before


def test_one_bad_row_means_nothing_is_written_and_every_error_is_listed(client, world):
    client.force_login(world.curator)
    before = Service.objects.count()
    text = csv_text(
        [
            ["Goed", "Eigen Welzijn", "local", "Hierdorp", "ja"],
            ["F" * 300, "Onbekend BV", "overal", "Nergens", "misschien"],
            ["Buiten mijn gemeente", "Ander Huis", "local", "Daarstad", "ja"],
        ]
    )
    response = upload(client, text)
    assert response.status_code == 200
    assert Service.objects.count() == before
    rows = response.context["rows"]
    assert rows[0].errors == []
    bad_fields = {field for field, _message in rows[1].errors}
    assert {"name", "municipalities", "out_of_home", "organisation", "scope"} <= bad_fields
    assert {field for field, _message in rows[2].errors} == {"municipalities"}


def test_import_updates_an_own_service_by_slug_and_records_old_and_new(client, world):
    client.force_login(world.curator)
    text = csv_text(
        [[world.neighbour.slug, "Wandelclub", "Ander Huis", "local", "Hierdorp", "ja", "Nieuw."]],
        columns=(
            "slug",
            "name",
            "organisation",
            "scope",
            "municipalities",
            "out_of_home",
            "summary",
        ),
    )
    assert upload_and_import(client, text).status_code == 302
    assert reload(world.neighbour).summary == "Nieuw."
    changes = {c["field"] for c in world.neighbour.versions.first().changes}
    assert "summary" in changes


def test_import_cannot_update_a_service_outside_scope(client, world):
    client.force_login(world.curator)
    text = csv_text(
        [[world.elsewhere.slug, "Overgenomen", "Ander Huis", "local", "Hierdorp", "ja"]],
        columns=("slug", "name", "organisation", "scope", "municipalities", "out_of_home"),
    )
    response = upload(client, text)
    assert response.status_code == 200
    assert reload(world.elsewhere).name == "Schildercursus"
    assert "slug" in {field for field, _m in response.context["rows"][0].errors}


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfebad",
        b"name;summary\nNul\x00;x\n",
        b"naam;foo\nx;y\n",
        b"",
        b"name\n" + b"x\n" * 2001,
    ],
)
def test_unreadable_files_are_a_message_not_a_500(client, world, content):
    client.force_login(world.curator)
    data = {"file": SimpleUploadedFile("x.csv", content or b" ", "text/csv")}
    response = client.post(reverse(IMPORT), data)
    assert response.status_code == 200
    assert response.context["file_error"] or response.context["form"].errors


def test_partner_cannot_import(client, world):
    client.force_login(world.partner)
    text = csv_text([["Taalcafé", "Eigen Welzijn", "local", "Hierdorp", "ja"]])
    assert upload(client, text).status_code == 403
    assert not Service.objects.filter(name="Taalcafé").exists()


@pytest.mark.parametrize(
    "model",
    ["organisation", "municipality", "targetgroup", "synonym", "proposedchange", "location"],
)
def test_every_admin_list_exports_for_those_who_may_see_it(client, world, model):
    url = reverse(f"admin:services_{model}_export")
    client.force_login(world.national_curator)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    client.force_login(world.phone)
    assert client.get(url).status_code == 403


def _check(world, rows, columns):
    rows, columns = csv_io.read_rows(
        SimpleUploadedFile("diensten.csv", csv_text(rows, columns).encode(), "text/csv")
    )
    return csv_io.check_rows(rows, columns, world.curator)


def test_checking_a_file_takes_the_same_queries_for_five_rows_as_for_fifty(
    world, django_assert_max_num_queries
):
    from tests.factories import make_service

    columns = ("slug", "name", "organisation", "scope", "municipalities", "out_of_home")
    existing = [
        make_service(f"Bestaand {n}", organisation=world.own_org, municipalities=[world.here])
        for n in range(25)
    ]

    def rows(count):
        updates = [
            [s.slug, s.name, "Eigen Welzijn", "local", "Hierdorp", "ja"]
            for s in existing[: count // 2]
        ]
        new = [["", f"Nieuw {n}", "Ander Huis", "local", "Hierdorp", "ja"] for n in range(count)]
        return (updates + new)[:count]

    _check(world, rows(1), columns)  # the user's roles, read once per user
    with django_assert_max_num_queries(40) as small:
        checked = _check(world, rows(5), columns)
    assert [row.errors for row in checked] == [[]] * 5
    with django_assert_max_num_queries(40) as large:
        checked = _check(world, rows(50), columns)
    assert [row.errors for row in checked] == [[]] * 50
    assert sum(1 for row in checked if row.existing) == 25
    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_slug_twice_in_one_file_is_an_error_on_the_second_row(world):
    slug = world.ours.slug
    columns = ("slug", "name", "organisation", "scope", "municipalities", "out_of_home")
    row = [slug, "Koffie-ochtend", "Eigen Welzijn", "local", "Hierdorp", "ja"]
    checked = _check(world, [row, row], columns)
    assert checked[0].errors == []
    assert [field for field, _message in checked[1].errors] == ["slug"]


def test_a_row_naming_a_service_outside_scope_or_an_unknown_term_is_still_refused(world):
    columns = ("slug", "name", "organisation", "scope", "municipalities", "themes", "online")
    checked = _check(
        world,
        [
            [world.elsewhere.slug, "Schildercursus", "Ander Huis", "local", "Daarstad", "", "ja"],
            ["", "Nieuw", "Ander Huis", "local", "Hierdorp", "Bestaat Niet", "ja"],
        ],
        columns,
    )
    assert "slug" in {field for field, _message in checked[0].errors}
    assert [field for field, _message in checked[1].errors] == ["themes"]


def test_an_import_bumps_exactly_the_versions_of_the_municipalities_it_touches(client, world):
    from services import versions

    scopes = [versions.municipality(world.here.pk), versions.municipality(world.there.pk)]
    scopes += [versions.NATIONAL]
    before = versions.current(scopes)
    client.force_login(world.curator)
    rows = [[f"Taalcafé {n}", "Eigen Welzijn", "local", "Hierdorp", "ja"] for n in range(5)]
    assert upload_and_import(client, csv_text(rows)).status_code == 302
    here, there, national = versions.current(scopes)
    assert here == before[0] + 1  # once for the whole file, not once per row
    assert (there, national) == (before[1], before[2])


# Dutch headers and values, the template, one upload ------------------------------------

DUTCH = ("naam", "aanbieder", "bereik", "gemeenten", "individueel of groep", "buitenshuis")


def test_dutch_headers_and_labels_with_commas_are_read(client, world):
    from tests.factories import make_municipality

    make_municipality("Anderdorp").curators.add(world.curator)
    client.force_login(world.curator)
    # A file saved with "," between the columns, a cell with two values in quotes.
    text = "naam,aanbieder,bereik,gemeenten,individueel of groep,buitenshuis\n"
    text += 'Taalcafé,eigen welzijn,In de gemeente,"Hierdorp, Anderdorp",in een groep,Ja\n'
    checked = upload(client, text)
    assert checked.context["delimiter"] == "komma"
    assert [row.errors for row in checked.context["rows"]] == [[]]
    assert upload_and_import(client, text).status_code == 302
    created = Service.objects.get(name="Taalcafé")
    assert (created.scope, created.format) == (Service.Scope.LOCAL, Service.Format.GROUP)
    assert {m.name for m in created.municipalities.all()} == {"Hierdorp", "Anderdorp"}
    assert created.organisation == world.own_org


def test_a_wrong_value_is_named_with_the_valid_ones(client, world):
    client.force_login(world.curator)
    text = csv_text(
        [["Taalcafé", "Eigen Welzijn", "In de gemeente", "Hierdorp", "groep ", "ja"]], DUTCH
    )
    response = upload(client, text)
    (row,) = response.context["rows"]
    assert row.errors == [
        (
            "format",
            "'groep ' is geen geldige waarde voor Individueel of groep; kies uit: Eén op één, "
            "In een groep, Eén op één of in een groep.",
        )
    ]
    page = response.content.decode()
    assert "kies uit: Eén op één, In een groep" in page
    assert 'name="confirm"' not in page  # nothing to import while a row is wrong
    text = csv_text([["Taalcafé", "Eigen Welzijn", "local", "Nergens", "", "misschien"]], DUTCH)
    errors = dict(upload(client, text).context["rows"][0].errors)
    assert errors["municipalities"].endswith("kies uit: Hierdorp.")  # the curator's own
    assert errors["out_of_home"].endswith("kies uit: ja, nee.")


def test_an_export_imports_again_without_changes(client, world):
    """The export speaks the import's language: exporting and importing changes nothing."""
    Service.objects.filter(pk=world.neighbour.pk).update(cost="paid", cost_amount="2.50")
    client.force_login(world.curator)
    response = client.get(reverse("admin:services_service_export"))
    text = b"".join([response.content]).decode("utf-8-sig")
    assert "Gepubliceerd" in text and "In de gemeente" in text and "2,50" in text
    checked = upload(client, text).context["rows"]
    by_name = {row.name: row for row in checked}
    # Its own services come back unchanged; the national one is not the curator's to update.
    assert by_name["Koffie-ochtend"].errors == [] and by_name["Koffie-ochtend"].changed == []
    assert by_name["Wandelclub"].errors == [] and by_name["Wandelclub"].changed == []
    assert "slug" in {field for field, _m in by_name["Luisterlijn"].errors}


def test_the_template_and_the_valid_values_download(client, world):
    client.force_login(world.curator)
    template = exported(client.get(reverse(IMPORT), {"download": "sjabloon"}))
    assert template == [csv_io.headers()]
    assert template[0][:3] == ["kenmerk (webadres)", "naam", "aanbieder"]
    values = exported(client.get(reverse(IMPORT), {"download": "waarden"}))
    assert values[0] == ["kolom", "geldige waarde"]
    assert ["individueel of groep", "In een groep"] in values
    assert ["gemeenten", "Hierdorp"] in values
    assert ["gemeenten", "Daarstad"] not in values  # not this curator's
    page = client.get(reverse(IMPORT)).content.decode()
    assert "Eén op één, In een groep" in page and "?download=sjabloon" in page


def test_importeer_without_a_checked_file_writes_nothing(client, world):
    client.force_login(world.curator)
    before = Service.objects.count()
    response = client.post(reverse(IMPORT), {"confirm": "0" * 32})
    assert response.status_code == 200
    assert "Kies het bestand opnieuw" in response.context["file_error"]
    good = upload(client, csv_text([["Taalcafé", "Eigen Welzijn", "local", "Hierdorp", "ja"]]))
    response = client.post(reverse(IMPORT), {"confirm": good.context["digest"][::-1]})
    assert response.context["file_error"]
    assert Service.objects.count() == before


def test_the_checked_file_waits_in_the_database_session(client, world):
    """Another app server finishes the import: the file is in the session store, not here."""
    from django.contrib.sessions.backends.db import SessionStore

    client.force_login(world.curator)
    checked = upload(client, csv_text([["Taalcafé", "Eigen Welzijn", "local", "Hierdorp", "ja"]]))
    stored = SessionStore(session_key=client.session.session_key).load()
    assert stored[csv_io.SESSION_KEY]["digest"] == checked.context["digest"]
    assert client.post(reverse(IMPORT), {"confirm": checked.context["digest"]}).status_code == 302
    assert csv_io.SESSION_KEY not in SessionStore(session_key=client.session.session_key).load()


def test_bulk_import_fills_the_search_columns_as_a_save_would(client, world):
    from tests.factories import make_theme

    make_theme("Taal en lezen")
    client.force_login(world.curator)
    columns = (
        "name",
        "organisation",
        "scope",
        "municipalities",
        "out_of_home",
        "themes",
        "summary",
    )
    text = csv_text(
        [["Taalcafé Één", "Eigen Welzijn", "local", "Hierdorp", "ja", "Taal en lezen", "Praten."]],
        columns,
    )
    assert upload_and_import(client, text).status_code == 302
    imported = Service.objects.get(name="Taalcafé Één")
    stored = [getattr(imported, f) for f in csv_io.SEARCH_FIELDS]
    imported.save()
    imported.refresh_search_extra()
    imported = reload(imported)
    assert stored == [getattr(imported, f) for f in csv_io.SEARCH_FIELDS]
    assert "taal" in stored[3] and "eigen welzijn" in stored[3]
    assert imported.slug == "taalcafe-een"


def test_new_slugs_are_free_also_when_names_repeat(client, world):
    client.force_login(world.curator)
    rows = [["Koffie-ochtend", "Eigen Welzijn", "local", "Hierdorp", "ja"]] * 3
    assert upload_and_import(client, csv_text(rows)).status_code == 302
    slugs = sorted(Service.objects.filter(name="Koffie-ochtend").values_list("slug", flat=True))
    assert slugs == ["koffie-ochtend", "koffie-ochtend-2", "koffie-ochtend-3", "koffie-ochtend-4"]


# A fixed number of queries, whatever the size ------------------------------------------


def _rows_of_both_kinds(world, count, existing):
    updates = [
        [s.slug, s.name, "Eigen Welzijn", "local", "Hierdorp", "ja", f"Nieuw {n}"]
        for n, s in enumerate(existing[: count // 2])
    ]
    new = [
        ["", f"Nieuw {count}-{n}", "Ander Huis", "local", "Hierdorp", "ja", ""]
        for n in range(count)
    ]
    return (updates + new)[:count]


def test_importing_takes_the_same_queries_for_four_rows_as_for_forty(
    world, django_assert_max_num_queries
):
    from tests.factories import make_service

    columns = ("slug", "name", "organisation", "scope", "municipalities", "out_of_home", "summary")
    existing = [
        make_service(f"Bestaand {n}", organisation=world.own_org, municipalities=[world.here])
        for n in range(20)
    ]
    counts = []
    for count, part in ((4, existing[:2]), (40, existing[2:])):
        checked = _check(world, _rows_of_both_kinds(world, count, part), columns)
        assert [row.errors for row in checked] == [[]] * count
        with django_assert_max_num_queries(30) as queries:
            csv_io.import_rows(checked, world.curator)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert Service.objects.filter(summary__startswith="Nieuw ").count() == 2 + 18
    assert ServiceVersion.objects.filter(source=ServiceVersion.Source.IMPORT).count() == 44
    updated = existing[3]
    assert reload(updated).summary == "Nieuw 1"
    assert {c["field"] for c in updated.versions.first().changes} == {"summary"}
    assert updated.versions.last().source == ServiceVersion.Source.INITIAL  # its starting point


def test_marking_verified_takes_the_same_queries_for_two_services_as_for_twenty(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from services import versions
    from tests.factories import make_service

    services = [
        make_service(f"Te controleren {n}", organisation=world.own_org, municipalities=[world.here])
        for n in range(22)
    ]
    client.force_login(world.curator)
    url = reverse("admin:services_service_changelist")
    client.get(url)  # the user's roles, read once per user
    counts = []
    here = versions.municipality(world.here.pk)
    for chosen in (services[:2], services[2:]):
        before = versions.current([here])[0]
        ids = [s.pk for s in chosen] + [world.national.pk]  # national: not a curator's
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, {"action": "mark_verified", "_selected_action": ids})
        assert response.status_code == 302
        counts.append(len(queries.captured_queries))
        assert versions.current([here])[0] > before
    assert counts[0] == counts[1] <= 45
    assert (
        Service.objects.filter(pk__in=[s.pk for s in services], verified_by=world.curator).count()
        == 22
    )
    assert reload(world.national).verified_at is None
    version = services[5].versions.first()
    assert version.source == ServiceVersion.Source.VERIFICATION and version.user == world.curator
    assert {c["field"] for c in version.changes} >= {"verified_at", "verified_by"}
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "20 diensten gemarkeerd als gecontroleerd." in messages
    assert any(
        m.startswith("1 dienst overgeslagen: die valt buiten uw gemeenten") for m in messages
    )
