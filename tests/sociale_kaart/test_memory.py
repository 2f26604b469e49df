"""An app server settles its memory on start-up (sociale_kaart.memory): what the WSGI module
loads is frozen out of the garbage collector's way, and the templates are compiled by then.
Run in a fresh interpreter, as gunicorn imports the module in each worker."""

import json
import os
import subprocess
import sys
from pathlib import Path

from sociale_kaart import memory

PROBE = """
import gc, json
import sociale_kaart.wsgi
from django.template import engines
after_start = {"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects()),
               "threshold": list(gc.get_threshold())}
before = len(gc.get_objects())
for name in ["services/service_list.html", "services/includes/facet.html",
             "services/service_detail.html", "phonedesk/desk.html"]:
    engines["django"].get_template(name)
after_start["new_after_templates"] = len(gc.get_objects()) - before
print(json.dumps(after_start))
"""


def test_the_wsgi_module_freezes_what_it_loaded_and_compiles_every_template():
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "test-only")}
    run = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["frozen"] > 50_000, found  # Django, the apps, templates, catalogues
    assert found["tracked"] < 1_000, found  # nothing of that is traversed again
    assert found["threshold"] == [memory.YOUNG_THRESHOLD, *memory.OLDER_THRESHOLDS]
    assert found["new_after_templates"] < 50, found  # compiled already, not on first use
