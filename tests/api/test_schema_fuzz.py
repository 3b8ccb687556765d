"""Schema-based fuzzing of the whole API with schemathesis, as a signed-in facilitator (token auth).

The schema is generated at test time from the code (drf-spectacular), so every operation added later is fuzzed
too. Requests go straight into the Django WSGI application (no server). Bounded and deterministic: a few
derandomized examples per operation, no example database. Every answer must be no 500 and conform to the schema
(status code, content type, body)."""

import json
import time

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from api.tokens import token_create
from schemathesis.core.failures import FailureGroup

EXAMPLES_PER_OPERATION = 12
TIME_BUDGET_SECONDS = 55


def generated_schema() -> dict:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw))


@pytest.fixture
def wsgi_app():
    """The WSGI application inside the test's transaction: like Django's test client, it must not close the
    connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_api_answers_every_generated_request_without_500_and_as_documented(world, wsgi_app):
    from schemathesis import checks

    _, key = token_create(actor=world.facilitator, user=world.facilitator, name="schemathesis")
    schema = schemathesis.openapi.from_dict(generated_schema())
    schema.app = wsgi_app
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6, [op.label for op in operations]
    wanted = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
              checks.response_schema_conformance]
    headers = {"Authorization": f"Token {key}"}
    started = time.monotonic()
    failures = []
    for operation in operations:

        @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
                             phases=[Phase.explicit, Phase.generate],
                             suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=wanted)

        try:
            fuzz()
        except (Exception, FailureGroup) as exc:  # noqa: BLE001 - all operations run, all failures reported
            failures.append(f"{operation.label}: {exc}\n" + "\n".join(
                str(sub) for sub in getattr(exc, "exceptions", [])))
    assert not failures, f"{len(failures)} of {len(operations)} operations failed:\n\n" + "\n\n".join(failures)
    assert time.monotonic() - started < TIME_BUDGET_SECONDS
