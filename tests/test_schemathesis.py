"""schemathesis against the OpenAPI schema: no generated input makes the service answer 5xx."""

import schemathesis
from hypothesis import HealthCheck, given, settings

from copilot.api.app import create_app

EXAMPLES_PER_OPERATION = 40


def test_no_generated_input_gets_a_server_error(bundled_copilot):
    app = create_app(copilot=bundled_copilot)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/drafts", "/v1/compliance/check", "/readyz"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case):
            response = case.call()
            assert response.status_code < 500, (case.method, case.path, response.text[:300])

        no_server_error()
