"""Measure the catalogue search against the judged query set: recall@10 and MRR@10.

Each judged query runs through the catalogue's own path (the FilterSet, as the list page
uses it, in the judged set's municipality) on the current database engine. A query's
recall@10 is the share of its relevant services among the first ten results; its
reciprocal rank is 1/position of the first relevant service in the first ten (0 if none).
"""

import json
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import QueryDict

from services.filters import ServiceFilterSet
from services.models import Municipality, Service

DEFAULT_SET = Path(settings.BASE_DIR) / "fixtures" / "search" / "judged_queries.json"
CUTOFF = 10


def load_judged(path=DEFAULT_SET):
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data["municipality"], data["queries"]


def ranked_slugs(query, municipality, params=None):
    """The slugs of the first CUTOFF results the catalogue lists for this query."""
    data = QueryDict(mutable=True)
    data["q"] = query
    for name, value in (params or {}).items():
        data.setlist(name, value if isinstance(value, list) else [value])
    filterset = ServiceFilterSet(
        data, queryset=Service.objects.published(), default_municipality=municipality
    )
    ids = filterset.ordered_ids()[:CUTOFF]
    slugs = dict(Service.objects.filter(pk__in=ids).values_list("pk", "slug"))
    return [slugs[pk] for pk in ids], filterset.total()


def evaluate(path=DEFAULT_SET):
    """Per-query results and the totals: {"rows": [...], "recall": float, "mrr": float}."""
    slug, queries = load_judged(path)
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise CommandError(f"Municipality {slug!r} is not in the database: run load_demo first.")
    statuses = dict(Service.objects.values_list("slug", "status"))
    unknown = sorted({s for q in queries for s in q["relevant"] if s not in statuses})
    if unknown:
        raise CommandError(f"Judged services not in the database: {', '.join(unknown)}")
    rows = []
    for judged in queries:
        found, total = ranked_slugs(judged["q"], municipality, judged.get("params"))
        relevant = judged["relevant"]
        hits = [s for s in relevant if s in found]
        first = next((i for i, s in enumerate(found, start=1) if s in relevant), None)
        rows.append(
            {
                **judged,
                "found": found,
                "total": total,
                "recall": len(hits) / len(relevant),
                "rr": 1 / first if first else 0.0,
                "missing": [(s, statuses[s]) for s in relevant if s not in found],
            }
        )
    return {
        "rows": rows,
        "recall": sum(r["recall"] for r in rows) / len(rows),
        "mrr": sum(r["rr"] for r in rows) / len(rows),
    }


class Command(BaseCommand):
    help = (
        "Run the judged query set (fixtures/search/judged_queries.json) through the catalogue "
        "search on the current database and print recall@10, MRR@10 and the misses."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_SET), help="Judged query set (JSON).")
        parser.add_argument("--min-recall", type=float, help="Fail when recall@10 is lower.")
        parser.add_argument("--min-mrr", type=float, help="Fail when MRR@10 is lower.")
        parser.add_argument(
            "--quiet", action="store_true", help="Print only the totals, not the misses."
        )

    def handle(self, *args, file, min_recall, min_mrr, quiet, **options):
        result = evaluate(file)
        rows = result["rows"]
        by_kind = defaultdict(list)
        for row in rows:
            by_kind[row["kind"]].append(row)
        engine = connection.vendor
        self.stdout.write(f"Engine: {engine}; {len(rows)} judged queries; cut-off {CUTOFF}.")
        self.stdout.write(f"{'kind':<10} {'n':>4} {'recall@10':>10} {'MRR@10':>8} {'zero':>5}")
        for kind, group in sorted(by_kind.items()):
            self.write_line(kind, group)
        self.write_line("all", rows)
        if not quiet:
            misses = [row for row in rows if row["recall"] < 1]
            self.stdout.write(f"\nMisses ({len(misses)}):")
            for row in misses:
                missing = ", ".join(
                    slug if status == Service.Status.PUBLISHED else f"{slug} [{status}]"
                    for slug, status in row["missing"]
                )
                extra = f" {row['params']}" if row.get("params") else ""
                self.stdout.write(
                    f"  [{row['kind']}] {row['q']!r}{extra}: {row['total']} results; "
                    f"missing {missing}"
                )
        failures = []
        if min_recall is not None and result["recall"] < min_recall:
            failures.append(f"recall@10 {result['recall']:.3f} < {min_recall}")
        if min_mrr is not None and result["mrr"] < min_mrr:
            failures.append(f"MRR@10 {result['mrr']:.3f} < {min_mrr}")
        if failures:
            raise CommandError("Below the floor: " + "; ".join(failures))

    def write_line(self, kind, group):
        recall = sum(r["recall"] for r in group) / len(group)
        mrr = sum(r["rr"] for r in group) / len(group)
        zero = sum(1 for r in group if r["total"] == 0)
        self.stdout.write(f"{kind:<10} {len(group):>4} {recall:>10.3f} {mrr:>8.3f} {zero:>5}")
