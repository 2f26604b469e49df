"""Compile the translation catalogues (locale/*/LC_MESSAGES/*.po) to .mo files with polib.

Django's compilemessages needs GNU gettext's msgfmt; polib is pure Python, so a fresh machine
or the slim Docker image compiles them too. The .mo files are build output (see .gitignore).
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every .po file under LOCALE_PATHS to a .mo file beside it (no gettext needed)."

    def handle(self, *args, **options):
        count = 0
        for root in settings.LOCALE_PATHS:
            for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
                self.stdout.write(
                    f"{po_path}: {len(catalogue.translated_entries())} translated, "
                    f"{len(catalogue.untranslated_entries())} untranslated"
                )
        self.stdout.write(f"{count} catalogue(s) compiled")
