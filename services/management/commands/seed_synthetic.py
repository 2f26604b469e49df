"""Fill the database with synthetic services for load and search benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from services import demo, versions


class Command(BaseCommand):
    help = (
        "Create N synthetic Dutch services (slugs start with 'synth-'), deterministic for a "
        "given --seed. Use --clear to remove earlier synthetic rows first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--services", type=int, default=0, help="How many services to add.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--clear", action="store_true", help="Delete earlier synthetic services first."
        )
        parser.add_argument(
            "--municipalities",
            type=int,
            default=0,
            help="Spread local services over at least this many municipalities, adding "
            "fictional ones (342 for a national instance).",
        )

    def handle(self, *args, services, seed, clear, municipalities, **options):
        if services < 0:
            raise CommandError("--services must be 0 or more.")
        if not services and not clear:
            raise CommandError("Give --services N, --clear, or both.")
        started = time.monotonic()

        def progress(done):
            if done % 10_000 == 0 or done == services:
                elapsed = time.monotonic() - started
                self.stdout.write(f"  {done:>8} services written after {elapsed:6.1f} s")

        result = demo.seed_synthetic(
            count=services,
            seed=seed,
            clear=clear,
            progress=progress,
            municipalities=municipalities,
        )
        # Bulk writes send no signals: tell cached catalogue pages that the data changed.
        versions.bump_everything()
        self.vacuum()
        if clear:
            self.stdout.write(f"Removed {result['removed']} synthetic services.")
        self.stdout.write(
            f"Created {result['created']} synthetic services in {result['seconds']:.1f} s "
            f"({demo.Service.objects.count()} services in total)."
        )

    def vacuum(self):
        """What autovacuum would do after a bulk load, done at once: a load outruns it (and
        it can be off: it is on the project's own machine). Each service's ServiceFacets row
        is rewritten by every link table's trigger, so 100k services leave some 650,000 dead
        rows; until a vacuum every count reads past them (docs_for: 22 ms instead of 11).
        VACUUM cannot run inside a transaction (as in tests): then only ANALYZE."""
        if connection.vendor != "postgresql":
            return
        start = time.perf_counter()
        statement = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(statement)
        self.stdout.write(f"{statement}: {time.perf_counter() - start:.1f} s")
