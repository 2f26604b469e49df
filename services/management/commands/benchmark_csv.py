"""Time and count the queries of a CSV import and a bulk verification, as a curator would.

    python manage.py benchmark_csv --rows 2000 --verify 500

In one transaction that is rolled back at the end (the database is left as it was), it makes
a municipality with a curator, half the rows as existing services of that municipality, then:
exports those (the round trip a curator makes: export, edit, import) plus as many new rows,
checks the file, imports it, and marks `--verify` services as checked through the admin
action. Prints milliseconds and SQL statements for each step, with the load average.
BENCHMARK_PROFILE=1 prints a cProfile of the check and the import instead.
"""

import os
import time

from django.conf import settings
from django.core.management import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from services import roles
from services.curation import csv_io
from services.models import Municipality, Organisation, Service, TargetGroup, Theme
from services.querycount import QueryCounter


class Rollback(Exception):
    pass


def measured(label, function, out):
    counter = QueryCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = function()
    elapsed = (time.perf_counter() - start) * 1000
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    out.write(f"{label:<34} {elapsed:9.0f} ms {counter.count:7d} queries   load {load}")
    return result


class Command(BaseCommand):
    help = "Measure checking and importing a CSV file and a bulk verification."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=2000, help="Rows in the file.")
        parser.add_argument(
            "--verify",
            type=int,
            nargs="*",
            default=[100, 900],
            help="Services to mark verified, one admin action per size (at most 999: the "
            "admin takes 1,000 form fields per request).",
        )

    def handle(self, *args, **options):
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        # The test client logs in without a TOTP code (as the test settings do); in this
        # process only, for the measurement.
        settings.SECOND_FACTOR_REQUIRED = False
        try:
            with transaction.atomic():
                self.run(options["rows"], options["verify"])
                raise Rollback
        except Rollback:
            self.stdout.write("(rolled back: nothing kept)")

    def run(self, count, verify):
        from django.contrib.auth import get_user_model

        role_groups = roles.ensure_groups()
        town = Municipality.objects.create(name="Bankstad (benchmark)")
        organisation = Organisation.objects.create(name="Benchmark Welzijn")
        groups = [TargetGroup.objects.create(name=f"Benchmarkgroep {n}") for n in range(3)]
        theme = Theme.objects.create(name="Benchmarkthema")
        curator = get_user_model().objects.create_user("benchmark-curator", is_staff=True)
        curator.groups.add(role_groups[roles.CURATOR])
        town.curators.add(curator)
        existing = count // 2
        for n in range(existing):
            service = Service(
                organisation=organisation,
                name=f"Bestaande dienst {n}",
                summary="Een korte samenvatting.",
                essence="Wat het is.",
                phone="030 123 45 67",
                status=Service.Status.PUBLISHED,
                scope=Service.Scope.LOCAL,
                out_of_home=True,
            )
            service.save()
            service.municipalities.add(town)
            service.target_groups.add(groups[n % 3])
            service.themes.add(theme)
        stored = Service.objects.filter(organisation=organisation).select_related("organisation")
        stored = stored.prefetch_related(*csv_io.RELATIONS).order_by("pk")
        header = csv_io.SERVICE_COLUMNS
        rows = [csv_io.service_row(service) for service in stored]
        for row in rows:
            row[header.index("summary")] = "Bijgewerkt uit het bestand."
        for n in range(count - existing):
            new = list(rows[n % existing])
            new[header.index("slug")] = ""
            new[header.index("name")] = f"Nieuwe dienst {n}"
            rows.append(new)
        text = _csv(header, rows)
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("diensten.csv", text.encode("utf-8"), "text/csv")
        self.stdout.write(f"{count} rows ({existing} updates, {count - existing} new)")
        read, columns = csv_io.read_rows(upload)
        checked = measured("check", lambda: csv_io.check_rows(read, columns, curator), self.stdout)
        errors = [row.errors for row in checked if row.errors]
        assert not errors, errors[:3]
        if os.environ.get("BENCHMARK_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(csv_io.check_rows, read, columns, curator)
            profile.runcall(csv_io.import_rows, checked, curator)
            pstats.Stats(profile, stream=self.stdout).sort_stats("cumulative").print_stats(25)
            raise Rollback
        measured("import", lambda: csv_io.import_rows(checked, curator), self.stdout)
        assert Service.objects.filter(organisation=organisation).count() == count
        client = Client()
        client.force_login(curator)
        url = reverse("admin:services_service_changelist")
        all_ids = list(
            Service.objects.filter(organisation=organisation).values_list("pk", flat=True)
        )
        for size in verify:
            ids = all_ids[:size]
            data = {"action": "mark_verified", "_selected_action": ids}
            response = measured(
                f"mark verified ({len(ids)} services)",
                lambda data=data: client.post(url, data),
                self.stdout,
            )
            assert response.status_code == 302, response.status_code
            done = Service.objects.filter(pk__in=ids, verified_by=curator).count()
            assert done == len(ids), done


def _csv(header, rows):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
