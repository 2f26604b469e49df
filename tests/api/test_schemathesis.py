"""Fuzz the API against its own OpenAPI document with schemathesis.

Every operation gets generated requests (valid and invalid parameters, odd ids); every
answer must be no 5xx and match the document: status code, content type, headers and the
JSON schema of the body. Bounded: a fixed number of examples per operation, no shrinking
deadline, so it fits in CI.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from sociale_kaart.wsgi import application
from tests.api.test_views import catalogue  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
EXAMPLES = 30


# The document itself reads no data, so it can be loaded when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/hsds/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Like Django's test client: the WSGI handler must not close the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_answer_matches_our_openapi_document(case, catalogue, settings):  # noqa: F811
    settings.HSDS_API_RATE = (1_000_000, 60)
    # The WSGI client does not undo GZipMiddleware; compression is the transport's business.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
