import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; django.setup();"
    "from django.test import Client;"
    "r = Client().get('/healthz'); print(json.dumps([r.status_code, r.json()]))"
)


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


@pytest.mark.parametrize(
    "database_url",
    ["postgres://postgres@127.0.0.1:1/unreachable", "sqlite:////nonexistent-dir/db.sqlite3"],
)
def test_healthz_answers_503_when_the_database_does_not(database_url):
    # A separate process with a database that really is unreachable: no mocks.
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body["database"] == "down"
