"""Write published services as Open Referral HSDS 3.0 service objects (JSON list)."""

import json

from django.core.management import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from services import hsds


class Command(BaseCommand):
    help = "Export published services as HSDS 3.0 JSON to standard output or --output FILE."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write; standard output when left out.")
        parser.add_argument("--all", action="store_true", help="Also unpublished services.")

    def handle(self, *args, output=None, all=False, **options):
        queryset = hsds.export_queryset()
        if not all:
            queryset = queryset.published()
        data = [hsds.service_object(service) for service in queryset.iterator(chunk_size=500)]
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"{len(data)} services written to {output}")
        else:
            self.stdout.write(text)
