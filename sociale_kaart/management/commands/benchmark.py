"""Server-side latency of the public pages, measured, not guessed.

    python manage.py benchmark --services 10000
    python manage.py benchmark --services 100000 --requests 200

Makes sure the database holds at least N services (running seed_synthetic for the rest),
then requests each kind of page through Django's full stack (middleware, views, templates)
with the test client and prints p50/p95/max in milliseconds plus the number of SQL queries.
The network and the browser are not in these figures; the page weight line gives the bytes.

Three columns per kind: cold (every request after emptying the whole cache, as after a
Redis restart), after an edit (every request just after a change in the default
municipality: its views' cached counts, ids and pages are new, cards and other
municipalities stay), and warm.
"""

import gzip
import random
import re
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import cache
from django.core.management import BaseCommand, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from services import hsds, versions
from services.models import Municipality, Service, TargetGroup
from services.querycount import QueryCounter
from sociale_kaart import memory

RESULTS_RE = re.compile(r'id="result-count"[^>]*>\s*(\d+)')


class Command(BaseCommand):
    help = "Seed synthetic services if needed and print latency percentiles and query counts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--services", type=int, default=10_000, help="Services to have at least."
        )
        parser.add_argument(
            "--municipalities",
            type=int,
            default=0,
            help="When seeding: spread local services over at least this many municipalities "
            "(342 for a national instance; see seed_synthetic).",
        )
        parser.add_argument("--requests", type=int, default=100, help="Timed requests per kind.")
        parser.add_argument("--warmup", type=int, default=5)
        parser.add_argument("--no-seed", action="store_true", help="Measure what is there.")
        parser.add_argument(
            "--no-phonedesk", action="store_true", help="Leave out the phone desk's searches."
        )
        parser.add_argument(
            "--no-quality",
            action="store_true",
            help="Leave out the judged query set (recall@10 and MRR, see search_quality).",
        )

    def handle(self, *args, **options):
        self.ensure_services(options["services"], options["no_seed"], options["municipalities"])
        if isinstance(staticfiles_storage, ManifestFilesMixin):
            # Pages name their static files through the manifest, as in production (the
            # Dockerfile collects them at build time): without it every page is a 500.
            call_command("collectstatic", interactive=False, verbosity=0)
        memory.settle()  # as every app server does on start-up (sociale_kaart/wsgi.py)
        settings.HSDS_API_RATE = (10**9, 60)  # one address sends every request here
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        client = Client()
        published = Service.objects.published().count()
        self.stdout.write(
            f"database: {connection.vendor}, services: {Service.objects.count()} "
            f"({published} published), requests per kind: {options['requests']}"
        )
        municipality = Municipality.objects.filter(slug=settings.DEFAULT_MUNICIPALITY).first()
        self.edited = [municipality.pk] if municipality else []
        self.stdout.write(
            f"{'':<34}{'-------- cold cache --------':>30}{'- after an edit -':>17}"
            f"{'-------- warm cache --------':>30}"
        )
        # cpu: this process's CPU ms per request (median), which load on a shared machine
        # hardly moves; the database's own time is in the wall-clock p50/p95 only.
        self.stdout.write(
            f"{'kind':<26}{'results':>8}{'SQL':>6}{'p50 ms':>8}{'p95 ms':>8}{'cpu':>8}"
            f"{'p50 ms':>8}{'p95 ms':>8}{'SQL':>6}{'p50 ms':>8}{'p95 ms':>8}{'cpu':>8}"
        )
        for kind, url in self.kinds():
            self.measure(client, kind, url, options["requests"], options["warmup"])
        self.page_weight(client)
        self.kept_service_pages(client, municipality)
        if not options["no_quality"]:
            self.search_quality()
        if not options["no_phonedesk"]:
            from phonedesk import benchmark as phonedesk_benchmark

            self.stdout.write("phone desk results fragment (POST /telefoon/zoeken/):")
            phonedesk_benchmark.run(
                requests=options["requests"], warmup=options["warmup"], stdout=self.stdout
            )

    def ensure_services(self, wanted, no_seed, municipalities=0):
        missing = wanted - Service.objects.count()
        if missing > 0 and not no_seed:
            self.stdout.write(f"seeding {missing} synthetic services ...")
            call_command(
                "seed_synthetic",
                services=missing,
                municipalities=municipalities,
                stdout=self.stdout,
            )

    def kinds(self):
        catalogue = reverse("services:list")
        group = TargetGroup.objects.order_by("pk").values_list("slug", flat=True).first() or ""
        detail = Service.objects.published().order_by("pk").values_list("slug", flat=True).first()
        kinds = [
            ("home", reverse("services:home")),
            ("catalogue: empty", catalogue),
            ("catalogue: selective word", f"{catalogue}?q=imkeren"),
            ("catalogue: common word", f"{catalogue}?q=koffie"),
            ("catalogue: two facets", f"{catalogue}?kosten=free&doelgroep={group}"),
            ("catalogue: typo", f"{catalogue}?q=wandelgreop"),
            ("catalogue: sentence", f"{catalogue}?q=ik+zoek+iemand+om+mee+te+wandelen"),
            ("catalogue: word + facets", f"{catalogue}?q=wandelen&kosten=free&waar=out_of_home"),
            ("catalogue: page 50", f"{catalogue}?pagina=50"),
            ("autocomplete", f"{reverse('services:suggestions')}?q=koff"),
        ]
        if detail:
            kinds.append(("detail", reverse("services:detail", kwargs={"slug": detail})))
        # The open-data API (HSDS): a page of fifty, fully nested, and one service.
        services = reverse("hsds_api:services")
        kinds.append(("api: services 50", f"{services}?per_page=50"))
        kinds.append(("api: services 50 full", f"{services}?per_page=50&full=true"))
        feed = hsds.feed_queryset().order_by("pk").values_list("uuid", flat=True).first()
        if feed:
            kinds.append(("api: service", reverse("hsds_api:service", args=[feed])))
        return kinds

    def measure(self, client, kind, url, requests, warmup):
        for _ in range(warmup):
            client.get(url)
        counter = QueryCounter()
        cache.clear()
        with connection.execute_wrapper(counter):
            response = client.get(url)
        cold_queries = counter.count
        counter.count = 0
        with connection.execute_wrapper(counter):
            client.get(url)
        warm_queries = counter.count
        if response.status_code != 200:
            self.stdout.write(f"{kind:<26} status {response.status_code}")
            return
        if response["Content-Type"].startswith("application/json"):
            results = str(response.json().get("total_items", 1))
        else:
            match = RESULTS_RE.search(response.content.decode())
            results = match.group(1) if match else "-"
        cold = self.timings(client, url, requests, clear=True)
        edited = self.timings(client, url, requests, clear=False, edit=True)
        warm = self.timings(client, url, requests, clear=False)
        self.stdout.write(
            f"{kind:<26}{results:>8}{cold_queries:>6}{cold[0]:>8.1f}{cold[1]:>8.1f}{cold[2]:>8.1f}"
            f"{edited[0]:>8.1f}{edited[1]:>8.1f}"
            f"{warm_queries:>6}{warm[0]:>8.1f}{warm[1]:>8.1f}{warm[2]:>8.1f}"
        )

    def timings(self, client, url, requests, *, clear, edit=False):
        """p50 and p95 in ms and the median CPU ms of this process; with clear, every request
        starts with an empty cache; with edit, just after a change in the default
        municipality (its catalogue version moves, as when a curator saves a service there:
        what is cached for that municipality's views is new, the rest of the cache stays)."""
        timings = []
        cpu = []
        for _ in range(requests):
            if clear:
                cache.clear()
            if edit:
                versions.bump(self.edited)
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        return statistics.median(timings), p95, statistics.median(cpu)

    def search_quality(self):
        """The judged query set's figures on this database (with synthetic services they are
        lower than on the demo data alone: synthetic services compete for the first ten)."""
        from django.core.management.base import CommandError

        from services.management.commands.search_quality import evaluate

        try:
            result = evaluate()
        except CommandError as error:
            self.stdout.write(f"search quality: skipped ({error})")
            return
        self.stdout.write(
            f"search quality, {len(result['rows'])} judged queries: "
            f"recall@10 {result['recall']:.3f}, MRR@10 {result['mrr']:.3f}"
        )

    def kept_service_pages(self, client, municipality, pages=50, edits=30):
        """How many service pages of the default municipality's view the page cache still
        serves after edits in `edits` other municipalities (curators saving elsewhere):
        each page made once, the other municipalities' versions bumped, then asked again."""
        if municipality is None or not getattr(settings, "PAGE_CACHE_SECONDS", 60):
            return
        chance = random.Random(7)
        view = Service.objects.live().for_municipality(municipality)
        slugs = list(view.order_by("pk").values_list("slug", flat=True))
        others = list(Municipality.objects.exclude(pk=municipality.pk).values_list("pk", flat=True))
        chosen = chance.sample(slugs, min(pages, len(slugs)))
        urls = [reverse("services:detail", kwargs={"slug": slug}) for slug in chosen]
        cache.clear()
        for url in urls:
            client.get(url)
        for pk in chance.sample(others, min(edits, len(others))):
            versions.bump([pk])
        kept = sum(client.get(url).get("X-Page-Cache") == "hit" for url in urls)
        self.stdout.write(
            f"service pages still from the page cache after edits in {min(edits, len(others))} "
            f"other municipalities: {kept} of {len(urls)}"
        )

    def page_weight(self, client):
        """First-load bytes of the catalogue page, gzip-compressed as whitenoise serves them."""
        html = client.get(reverse("services:list")).content
        total = len(gzip.compress(html))
        parts = [f"html {len(gzip.compress(html))}"]
        for path in (
            "css/site.css",
            "css/print.css",
            "js/catalogue.js",
            "django_htmx/htmx-2.min.js",
            "img/icons.svg",
        ):
            found = finders.find(path)
            if found:
                size = len(gzip.compress(Path(found).read_bytes()))
                total += size
                parts.append(f"{path} {size}")
        self.stdout.write(f"catalogue page weight, gzip: {total} bytes ({', '.join(parts)})")
