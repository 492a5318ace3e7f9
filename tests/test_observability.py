"""Readiness, Prometheus metrics, request ids and structured logs."""

import json
import logging

from fastapi.testclient import TestClient

from copilot.api.app import create_app
from copilot.api.telemetry import JsonFormatter
from copilot.container import build_copilot
from copilot.log_masking import PersonalDataFilter
from tests.conftest import make_settings


def test_readyz_is_ready_with_an_index_and_names_what_is_missing_without(bundled_copilot, tmp_path):
    with TestClient(create_app(copilot=bundled_copilot)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ready",
            "checks": {"chroma": "ok", "index": "ok", "lexicon": "ok"},
        }
    empty = build_copilot(make_settings(tmp_path))
    with TestClient(create_app(copilot=empty)) as client:
        not_ready = client.get("/readyz")
        assert not_ready.status_code == 503 and not_ready.json()["status"] == "not ready"
        assert "copilot ingest" in not_ready.json()["checks"]["index"]
        assert client.get("/healthz").status_code == 200


def metric(text: str, line_start: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(line_start)
    )


def test_metrics_count_requests_drafts_escalations_gaps_and_compliance_hits(bundled_copilot):
    with TestClient(create_app(copilot=bundled_copilot)) as client:
        client.post("/v1/drafts", json={"message": "能发顺丰吗"})
        client.post("/v1/drafts", json={"message": "你们这些骗子，我要打12315投诉"})
        client.post("/v1/drafts", json={"message": "你们有实体店吗"})
        client.post("/v1/drafts/stream", json={"message": "你们有实体店吗"})
        client.post("/v1/compliance/check", json={"text": "全网最好的，加我微信"})
        text = client.get("/metrics").text
    assert metric(text, 'copilot_drafts_total{mode="offline"}') == 4
    assert metric(text, "copilot_escalations_total") >= 1
    assert metric(text, "copilot_knowledge_gaps_total") >= 2
    assert (
        metric(text, 'copilot_compliance_hits_total{category="absolute_terms",where="check"}') == 1
    )
    assert (
        metric(text, 'copilot_request_seconds_count{method="POST",route="/v1/drafts",status="200"}')
        == 3
    )


def test_llm_failures_are_counted_by_kind(bundled_copilot, fake_openai, tmp_path):
    fake_openai.fail_with = 500
    settings = make_settings(
        tmp_path,
        data_dir=bundled_copilot.settings.data_dir,
        llm_base_url=fake_openai.base_url,
        llm_model="fake",
    )
    with TestClient(create_app(copilot=build_copilot(settings))) as client:
        body = client.post("/v1/drafts", json={"message": "能发顺丰吗"}).json()
        assert body["mode"] == "fallback" and body["llm_error"] == "unavailable"
        text = client.get("/metrics").text
    assert metric(text, 'copilot_llm_failures_total{kind="unavailable"}') == 1
    assert metric(text, 'copilot_drafts_total{mode="fallback"}') == 1


def test_every_request_gets_an_id_and_one_json_log_line(bundled_copilot):
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("copilot.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with TestClient(create_app(copilot=bundled_copilot)) as client:
            given = client.post(
                "/v1/drafts", json={"message": "在吗"}, headers={"X-Request-ID": "abc123"}
            )
            fresh = client.get("/healthz")
    finally:
        logger.removeHandler(handler)
    assert given.headers["x-request-id"] == "abc123"
    assert len(fresh.headers["x-request-id"]) == 32
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "abc123" and line["route"] == "/v1/drafts"
    assert line["status"] == 200 and line["duration_ms"] > 0 and line["level"] == "info"


def test_json_log_lines_mask_personal_data():
    record = logging.LogRecord(
        "copilot", logging.WARNING, __file__, 1, "customer wrote %s", ("电话13812345678",), None
    )
    PersonalDataFilter().filter(record)
    assert json.loads(JsonFormatter().format(record))["message"] == "customer wrote 电话138****5678"
