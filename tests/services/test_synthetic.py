from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from services.demo import SYNTHETIC_PREFIX
from services.models import Location, Organisation, Service
from services.search import search_queryset

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_synthetic", *args, stdout=out)
    return out.getvalue()


def synthetic():
    return Service.objects.filter(slug__startswith=SYNTHETIC_PREFIX)


def names():
    return list(synthetic().order_by("slug").values_list("name", flat=True))


def test_creates_the_requested_number_of_services_with_organisations():
    output = seed("--services", "200", "--seed", "42")
    assert "Created 200 synthetic services" in output
    assert synthetic().count() == 200
    assert Organisation.objects.filter(slug__startswith=SYNTHETIC_PREFIX).count() == 10
    published = synthetic().published().count()
    assert 160 <= published <= 195
    assert synthetic().filter(scope=Service.Scope.LOCAL, municipalities=None).count() == 0


def test_is_deterministic_for_a_seed():
    seed("--services", "200", "--seed", "7")
    first = names()
    seed("--clear", "--services", "200", "--seed", "7")
    assert names() == first
    seed("--clear", "--services", "200", "--seed", "8")
    assert names() != first


def test_adding_more_keeps_slugs_unique():
    seed("--services", "30")
    seed("--services", "30")
    assert synthetic().count() == 60


def test_clear_removes_synthetic_rows_only():
    call_command("load_demo", stdout=StringIO())
    demo_services = Service.objects.count()
    seed("--services", "50")
    output = seed("--clear")
    assert "Removed 50" in output
    assert Service.objects.count() == demo_services
    assert not Organisation.objects.filter(slug__startswith=SYNTHETIC_PREFIX).exists()


def test_created_services_are_searchable():
    seed("--services", "200")
    service = synthetic().published().order_by("slug").first()
    word = service.name.split()[0]
    found = search_queryset(Service.objects.published(), word)
    assert found.filter(slug__startswith=SYNTHETIC_PREFIX).exists()
    assert (
        "synthetische" in Organisation.objects.get(pk=service.organisation_id).description.lower()
    )


def test_created_rows_pass_validation():
    seed("--services", "100")
    for service in synthetic()[:100]:
        service.full_clean()
        service.clean_relations(
            municipalities=service.municipalities.all(),
            target_groups=service.target_groups.all(),
        )
        assert service.search_name and service.search_extra
    locations = Location.objects.filter(service__slug__startswith=SYNTHETIC_PREFIX)
    assert locations.exists()
    for location in locations:
        location.full_clean()
        assert location.opening_periods.exists()


def test_needs_a_number_or_clear():
    with pytest.raises(CommandError):
        seed()


def test_spreads_local_services_over_fictional_municipalities_and_clears_them():
    from services.models import Municipality

    seed("--services", "400", "--municipalities", "40")
    assert Municipality.objects.count() == 40
    fictional = Municipality.objects.filter(slug__startswith=SYNTHETIC_PREFIX)
    assert fictional.first().name.startswith("Synthetische gemeente ")
    used = set(
        synthetic().filter(scope=Service.Scope.LOCAL).values_list("municipalities", flat=True)
    )
    # One organisation per 20 services, each in one municipality: 20 places are used.
    assert len(used & set(fictional.values_list("pk", flat=True))) >= 5
    seed("--services", "10", "--municipalities", "40")  # already there: none added
    assert Municipality.objects.count() == 40
    seed("--clear")
    assert not fictional.exists()
    assert Municipality.objects.count() == 16


@pytest.mark.django_db(transaction=True)
def test_a_load_ends_with_a_vacuum_on_postgresql(postgres_only):
    """Outside a transaction (as from the command line) the seed vacuums what it wrote: the
    trigger-kept rows leave no dead versions behind for the counts to read past.

    Read off the pages themselves (pgstattuple), not pg_stat_user_tables: a backend sends its
    own pending counts of dead rows up to a second after they happen, so n_dead_tup could
    rise again after the VACUUM had reset it (CI saw 230 on a clean table)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
    output = seed("--services", "40", "--seed", "7")
    assert "VACUUM (ANALYZE):" in output
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'services_servicefacets'"
        )
        (vacuums,) = cursor.fetchone()
        cursor.execute(
            "SELECT tuple_count, dead_tuple_count FROM pgstattuple('services_servicefacets')"
        )
        live, dead = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_xmin IS NOT NULL "
            "AND pid <> pg_backend_pid() AND datname = current_database()"
        )
        (holders,) = cursor.fetchone()
    assert live >= 40
    # A snapshot held open elsewhere would keep the dead rows: say so if it ever happens.
    assert (dead, vacuums > 0) == (0, True), f"{holders} other snapshot(s) open"
