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


def upload(client, text, dry_run=False):
    data = {"file": SimpleUploadedFile("diensten.csv", text.encode("utf-8"), "text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse(IMPORT), data)


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
    assert rows[0] == csv_io.SERVICE_COLUMNS
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
    response = upload(client, text)
    assert response.status_code == 302
    created = Service.objects.get(name="Taalcafé")
    assert created.status == Service.Status.DRAFT
    assert list(created.municipalities.all()) == [world.here]
    version = created.versions.get()
    assert version.source == ServiceVersion.Source.IMPORT
    assert version.user == world.curator


def test_dry_run_previews_and_writes_nothing(client, world):
    client.force_login(world.curator)
    before = Service.objects.count()
    response = upload(
        client, csv_text([["Taalcafé", "Eigen Welzijn", "local", "Hierdorp", "ja"]]), dry_run=True
    )
    assert response.status_code == 200
    assert [row.errors for row in response.context["rows"]] == [[]]
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
    assert upload(client, text).status_code == 302
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
    assert upload(client, csv_text(rows)).status_code == 302
    here, there, national = versions.current(scopes)
    assert here == before[0] + 1  # once for the whole file, not once per row
    assert (there, national) == (before[1], before[2])
