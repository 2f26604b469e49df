"""Write the open-data feed as Open Referral HSDS 3.0 service objects (JSON list or ndjson)."""

import json

from django.core.management import BaseCommand

from services import hsds


class Command(BaseCommand):
    help = (
        "Export the services of the open-data feed (published, temporarily closed and ended) "
        "as HSDS 3.0 JSON to standard output or --output FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write; standard output when left out.")
        parser.add_argument(
            "--format",
            choices=["json", "ndjson"],
            default="json",
            help="A JSON list or one per line.",
        )
        parser.add_argument(
            "--all", action="store_true", help="Also drafts and services in review."
        )

    def handle(self, *args, output=None, format="json", all=False, **options):
        queryset = hsds.export_queryset()
        if not all:
            queryset = queryset.filter(pk__in=hsds.feed_queryset().values("pk"))
        documents = (hsds.service_object(s) for s in queryset.iterator(chunk_size=500))
        handle = open(output, "w", encoding="utf-8") if output else self.stdout  # noqa: SIM115
        count = 0
        try:
            if format == "ndjson":
                for document in documents:
                    handle.write(json.dumps(document, ensure_ascii=False) + "\n")
                    count += 1
            else:
                handle.write("[")
                for document in documents:
                    handle.write(
                        ("," if count else "")
                        + "\n"
                        + json.dumps(document, ensure_ascii=False, indent=2)
                    )
                    count += 1
                handle.write("\n]\n")
        finally:
            if output:
                handle.close()
        if output:
            self.stderr.write(f"{count} services written to {output}")
