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


# what no schema describes but any client can send
HOSTILE_TEXT = ["\ud800", "a\udfffb", "\u200b\u200b", "\x00\x07", "\u2060\ufeff"]
HOSTILE_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e309", "-1e309"]
HOSTILE_HEADERS = [
    [(b"X-Request-ID", b"\xff\xfe\x00bad")],
    [(b"Authorization", "Bearer 密钥".encode())],
    [(b"X-Request-ID", "编号-13812345678".encode())],
]


def _leaves(value, path=()):
    """Paths to every string and number in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield path, value


def _with(value, path, replacement):
    if not path:
        return replacement
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _with(value[path[0]], path[1:], replacement)
    return copy


def test_hostile_text_numbers_and_headers_never_get_a_server_error(bundled_copilot):
    """Generated bodies with one leaf made hostile, sent as raw JSON with hostile headers."""
    import json
    import random

    from fastapi.testclient import TestClient

    app = create_app(copilot=bundled_copilot)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    posts = [r.ok() for r in schema.get_all_operations() if r.ok().method.upper() == "POST"]
    rng = random.Random(14)
    client = TestClient(app, raise_server_exceptions=False)
    sent = 0
    bodies: list[dict] = []
    for operation in posts:
        bodies.clear()

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        def collect(case):
            if isinstance(case.body, dict):
                bodies.append(case.body)

        collect()
        for body in bodies:
            for path, leaf in list(_leaves(body)):
                marker = "__HOSTILE__"
                if isinstance(leaf, str):
                    raw = json.dumps(_with(body, path, rng.choice(HOSTILE_TEXT)))
                else:
                    raw = json.dumps(_with(body, path, marker)).replace(
                        f'"{marker}"', rng.choice(HOSTILE_NUMBERS)
                    )
                headers = [(b"Content-Type", b"application/json"), *rng.choice(HOSTILE_HEADERS)]
                response = client.post(operation.path, content=raw.encode(), headers=headers)
                sent += 1
                assert response.status_code < 500, (operation.path, raw[:200], response.text[:300])
                response.content.decode("utf-8")  # the answer is valid UTF-8
    assert sent >= 50
