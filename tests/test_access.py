"""Access control and limits: API keys, rate limits, body size, CORS, safe binding."""

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from copilot.api.app import create_app
from copilot.cli import app as cli
from tests.conftest import make_settings


def client_for(bundled_copilot, tmp_path, **settings) -> TestClient:
    """A client that sees a server error as a 500 response, as a real client would."""
    return TestClient(
        create_app(copilot=bundled_copilot, settings=make_settings(tmp_path, **settings)),
        raise_server_exceptions=False,
    )


def check_as(client: TestClient, key: str):
    """A compliance check sent with a bearer key."""
    return client.post(
        "/v1/compliance/check", json={"text": "你好"}, headers={"Authorization": f"Bearer {key}"}
    )


def test_keys_are_required_on_the_api_but_not_on_healthz(bundled_copilot, tmp_path):
    with client_for(bundled_copilot, tmp_path, api_keys="alpha-key-1, beta-key-2") as client:
        assert client.get("/healthz").status_code == 200
        missing = client.post("/v1/drafts", json={"message": "在吗"})
        assert missing.status_code == 401 and "Authorization: Bearer" in missing.json()["detail"]
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = client.post(
            "/v1/drafts", json={"message": "在吗"}, headers={"Authorization": "Bearer nope"}
        )
        assert wrong.status_code == 401 and "unknown API key" in wrong.json()["detail"]
        for key in ("alpha-key-1", "beta-key-2"):
            ok = client.post(
                "/v1/drafts", json={"message": "在吗"}, headers={"Authorization": f"Bearer {key}"}
            )
            assert ok.status_code == 200
        search = client.get("/v1/knowledge/search", params={"q": "顺丰"})
        assert search.status_code == 401


def test_keys_file_is_read_and_a_missing_one_is_a_clear_error(bundled_copilot, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("# agents' console\nconsole-key\n\ntool-key\n", encoding="utf-8")
    with client_for(bundled_copilot, tmp_path, api_keys_file=keys) as client:
        headers = {"Authorization": "Bearer tool-key"}
        assert client.post(
            "/v1/compliance/check", json={"text": "你好"}, headers=headers
        ).is_success
    from copilot.errors import ConfigError

    with pytest.raises(ConfigError, match="COPILOT_API_KEYS_FILE"):
        make_settings(tmp_path, api_keys_file=tmp_path / "absent.txt").keys()


def test_each_key_has_its_own_rate_limit_with_retry_after(bundled_copilot, tmp_path):
    settings = {"api_keys": "one,two", "rate_limit_per_minute": 3}
    with client_for(bundled_copilot, tmp_path, **settings) as client:
        assert [check_as(client, "one").status_code for _ in range(3)] == [200, 200, 200]
        limited = check_as(client, "one")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert "3 requests per minute" in limited.json()["detail"]
        assert check_as(client, "two").status_code == 200


def test_oversized_bodies_get_413_naming_the_limit(bundled_copilot, tmp_path):
    with client_for(bundled_copilot, tmp_path, max_body_bytes=2048) as client:
        big = client.post("/v1/compliance/check", json={"text": "好" * 3000})
        assert big.status_code == 413 and "2048 bytes" in big.json()["detail"]

        def chunks():
            yield b'{"text": "'
            for _ in range(10):
                yield "好".encode() * 100
            yield b'"}'

        streamed = client.post(
            "/v1/compliance/check", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
        assert client.post("/v1/compliance/check", json={"text": "你好"}).status_code == 200


def test_cors_allows_only_the_configured_console_origin(bundled_copilot, tmp_path):
    origin = "https://console.example.com"
    with client_for(bundled_copilot, tmp_path, cors_origins=origin) as client:
        preflight = {"Origin": origin, "Access-Control-Request-Method": "POST"}
        allowed = client.options("/v1/drafts", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == origin
        other = client.options(
            "/v1/drafts", headers={**preflight, "Origin": "https://evil.example.com"}
        )
        assert "access-control-allow-origin" not in other.headers


def test_serve_refuses_a_public_address_without_keys(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)],
        env={"COPILOT_API_KEYS": ""},
    )
    assert result.exit_code == 1 and "refusing to bind 0.0.0.0 without API keys" in result.output
