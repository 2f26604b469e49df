"""How an app server's Python collects garbage: settle() once, after start-up.

CPython's cyclic garbage collector runs by generation. A full collection traverses every
tracked object, and after start-up a worker holds about 120,000 long-lived ones (modules,
URL patterns, compiled templates, translation catalogues). At 100k services one full
collection took 55 to 100 ms here, inside whichever request happened to trigger it: cold
catalogue pages had a p95 of about twice their p50 (`manage.py benchmark`; DEVELOPERS.md).

settle() loads what every worker loads anyway (the URLconf and its views, every template,
the translation catalogues), collects once, and moves all that is alive then into the
permanent generation (gc.freeze: no collection looks at it again). The young generation is
then collected every YOUNG_THRESHOLD allocations instead of 700, so objects that live for
one request are mostly gone before a collection and few reach the older generations.
Nothing is shared between processes here: each worker settles itself (wsgi.py), and the
benchmark does the same before it measures.
"""

import gc
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import get_resolver
from django.utils import translation

YOUNG_THRESHOLD = 20_000
OLDER_THRESHOLDS = (20, 20)


def settle():
    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view module)
    engine = engines["django"]
    for directory in engine.engine.dirs:
        for path in sorted(Path(directory).rglob("*.html")):
            engine.get_template(str(path.relative_to(directory)))
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Aanbod")  # loads the language's catalogues
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
