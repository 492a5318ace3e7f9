"""Agents' feedback, stored in SQLite under the data dir, and the analytics built from it."""

import csv
import io
import sqlite3

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from copilot.api.app import create_app
from copilot.cli import app as cli
from copilot.container import build_copilot
from copilot.feedback.store import MIGRATIONS, FeedbackStore
from tests.conftest import make_settings


@pytest.fixture
def copilot(bundled_copilot, tmp_path):
    """The bundled index with a feedback database of this test's own."""
    settings = make_settings(tmp_path, data_dir=bundled_copilot.settings.data_dir)
    service = build_copilot(settings)
    service._feedback = FeedbackStore(tmp_path / "own" / "feedback.sqlite3")
    return service


@pytest.fixture
def client(copilot):
    with TestClient(create_app(copilot=copilot)) as test_client:
        yield test_client


def draft(client, message, n=2):
    body = client.post("/v1/drafts", json={"message": message, "n": n}).json()
    return body["request_id"]


def feedback(client, request_id, index, action, **extra):
    return client.post(
        "/v1/feedback",
        json={"request_id": request_id, "draft_index": index, "action": action, **extra},
    )


def test_feedback_is_stored_once_and_linked_to_its_request(client, copilot):
    request_id = draft(client, "能发顺丰吗")
    first = feedback(client, request_id, 0, "accepted")
    assert first.status_code == 200 and first.json() == {"stored": True, "compliance": None}
    again = feedback(client, request_id, 0, "accepted")
    assert again.json()["stored"] is False
    rows = copilot.feedback.served()
    assert [r["actions"] for r in rows if r["request_id"] == request_id] == [["accepted"]]
    row = next(r for r in rows if r["request_id"] == request_id)
    assert row["intent"] == "shipping" and row["mode"] == "offline" and row["latency_ms"] > 0


def test_edited_text_is_checked_for_compliance_before_it_is_recorded(client):
    request_id = draft(client, "这款面霜怎么样")
    edited = feedback(
        client, request_id, 1, "edited", final_text="这是全网最好的面霜，加我微信优惠"
    ).json()
    assert edited["stored"] is True
    assert edited["compliance"]["passed"] is False
    assert {h["category"] for h in edited["compliance"]["hits"]} == {
        "absolute_terms",
        "off_platform_contact",
    }


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        ({"request_id": "nope", "draft_index": 0, "action": "accepted"}, 404, "unknown request_id"),
        ({"draft_index": 0, "action": "accepted"}, 422, "request_id"),
        ({"request_id": "x", "draft_index": 0, "action": "loved"}, 422, "action"),
        ({"request_id": "x", "draft_index": 0, "action": "edited"}, 422, "final_text"),
    ],
)
def test_bad_feedback_is_refused_with_a_clear_message(client, payload, status, words):
    response = client.post("/v1/feedback", json=payload)
    assert response.status_code == status and words in str(response.json()["detail"])


def test_feedback_on_a_draft_the_response_did_not_have_is_422(client):
    request_id = draft(client, "能发顺丰吗", n=1)
    response = feedback(client, request_id, 2, "accepted")
    assert response.status_code == 422 and "had 1 draft" in response.json()["detail"]


def test_analytics_flags_intents_agents_keep_fixing_and_groups_gap_questions(client):
    for _ in range(3):
        feedback(client, draft(client, "能发顺丰吗"), 0, "accepted")
    for index, action in enumerate(["rejected", "edited"]):
        request_id = draft(client, "能用花呗吗")
        feedback(client, request_id, index, action, final_text="支持花呗。", reason="不够具体")
    for message in ["你们有实体店吗", "你们有没有线下实体店", "你们有实体店吗", "能寄样品测评吗"]:
        draft(client, message)
    draft(client, "你们这些骗子，我要打12315投诉")
    data = client.get("/v1/analytics").json()
    by_intent = {row["intent"]: row for row in data["top_intents"]}
    assert by_intent["shipping"]["accepted_rate"] == 1.0
    assert by_intent["shipping"]["needs_knowledge_work"] is False
    assert by_intent["payment"]["intervention_rate"] == 1.0
    assert by_intent["payment"]["needs_knowledge_work"] is True
    gaps = data["knowledge_gaps"]
    assert gaps[0]["question"] == "你们有实体店吗" and gaps[0]["count"] == 3
    assert data["requests"] == 10 and data["feedback"] == 5
    assert 0 < data["escalation_rate"] < 1 and data["latency_p95_ms"] > 0
    assert client.get("/v1/analytics", params={"since": "2099-01-01"}).json()["requests"] == 0
    assert client.get("/v1/analytics", params={"since": "yesterday"}).status_code == 422


def test_streamed_drafts_are_recorded_too(client, copilot):
    response = client.post("/v1/drafts/stream", json={"message": "能发顺丰吗"})
    request_id = response.text.split('"request_id": "')[1].split('"')[0]
    assert feedback(client, request_id, 0, "accepted").json()["stored"] is True


def test_an_older_database_is_migrated_in_place(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE keep_me (x INTEGER)")
    db.execute("INSERT INTO keep_me VALUES (42)")
    db.commit()
    db.close()
    store = FeedbackStore(path)
    assert store.version == len(MIGRATIONS)
    db = sqlite3.connect(path)
    assert db.execute("SELECT x FROM keep_me").fetchone() == (42,)
    db.close()
    assert FeedbackStore(path).version == len(MIGRATIONS)  # reopening changes nothing


def test_eval_runs_do_not_pollute_the_analytics(copilot):
    from copilot.evaluation.cases import GoldenCase
    from copilot.evaluation.targets import InProcessTarget

    case = GoldenCase(id="x", message="能发顺丰吗", intent="shipping", reference="可以")
    InProcessTarget(copilot).answer(case)
    assert copilot.feedback.served() == []


def test_report_cli_writes_html_and_csv(client, copilot, tmp_path):
    feedback(client, draft(client, "能用花呗吗"), 0, "rejected")
    runner = CliRunner()
    data_dir = ["--data-dir", str(copilot.feedback.path.parent)]
    html = runner.invoke(cli, ["report", "--output", str(tmp_path / "r.html"), *data_dir])
    assert html.exit_code == 0, html.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "payment" in page and "需补充知识" in page
    result = runner.invoke(cli, ["report", "--format", "csv", *data_dir])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["intent"] == "payment" and rows[0]["needs_knowledge_work"] == "True"
    bad = runner.invoke(cli, ["report", "--since", "last week", *data_dir])
    assert bad.exit_code == 2 and "ISO date" in bad.output
