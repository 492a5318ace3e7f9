"""copilot coverage and GET /v1/coverage: what the shop's knowledge answers, and what is left."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from copilot.api.app import create_app
from copilot.cli import app as cli
from copilot.container import build_copilot
from copilot.knowledge.taxonomy import INTENT_STAGES
from tests.conftest import make_settings

TEA = Path(__file__).parents[1] / "examples" / "tea-shop" / "knowledge"


@pytest.fixture(scope="module")
def tea(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tea")
    settings = make_settings(tmp, knowledge_dir=TEA, intent_confidence_floor=0.9)
    copilot = build_copilot(settings)
    copilot.ingest()
    for message in ["龙井能放多久", "有没有卖咖啡豆", "你们卖咖啡豆吗", "能开专票吗", "嗯"]:
        with TestClient(create_app(copilot=copilot)) as client:
            assert client.post("/v1/drafts", json={"message": message}).status_code == 200
    return copilot, settings


def test_every_intent_in_every_stage_is_answered_by_someone(tea):
    copilot, _ = tea
    with TestClient(create_app(copilot=copilot)) as client:
        body = client.get("/v1/coverage").json()
    intents = {(r["name"], r["stage"]) for r in body["rows"] if r["kind"] == "intent"}
    assert intents == {(i, s) for i, stages in INTENT_STAGES.items() for s in stages}
    by = {(r["name"], r["stage"]): r for r in body["rows"] if r["kind"] == "intent"}
    assert by[("shipping", "insale")]["answered_by"] == "shop"  # the imported quick phrases
    assert by[("invoice", "presale")]["answered_by"] == "playbook"  # nothing of the shop's own
    assert any(r["kind"] == "situation" for r in body["rows"])
    # the shop reads Chinese, never the codes: every row's label and every item to write
    codes = {r["name"] for r in body["rows"]}
    assert all(r["label"] and r["label"] != r["name"] for r in body["rows"])
    assert body["write_next"] and len(body["write_next"]) <= 8
    assert not any(code in item for item in body["write_next"] for code in codes)
    assert any("咖啡" in g["question"] for g in body["knowledge_gaps"])
    assert body["low_confidence"], "readings below the floor (0.9 here) are listed"


def test_a_shop_that_switches_the_playbook_off_sees_what_nothing_answers(tmp_path):
    import shutil

    shop = tmp_path / "tea"
    shutil.copytree(TEA, shop)
    (shop / "playbook.yaml").write_text(
        "disabled: [" + ", ".join(_invoice_moves()) + "]\n", encoding="utf-8"
    )
    copilot = build_copilot(make_settings(tmp_path, knowledge_dir=shop))
    rows = copilot.coverage().rows
    invoice = [r for r in rows if r.kind == "intent" and r.name == "invoice"]
    assert invoice and all(r.answered_by == "nothing" for r in invoice)
    assert any(
        "“发票”" in item and "没有任何回复" in item for item in copilot.coverage().write_next
    )


def _invoice_moves() -> list[str]:
    from copilot.drafting.playbook import built_in_playbook

    return [m.id for m in built_in_playbook().moves if m.intent == "invoice"]


@pytest.mark.parametrize(
    ("fmt", "marker"), [("text", "write next:"), ("html", "<table>"), ("csv", "answered_by")]
)
def test_the_cli_prints_the_report_in_each_format(tea, fmt, marker):
    _, settings = tea
    args = [
        "coverage",
        "--format",
        fmt,
        "--knowledge",
        str(TEA),
        "--data-dir",
        str(settings.data_dir),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert marker in result.output


def test_every_built_in_situation_has_a_chinese_name():
    from copilot.drafting.offline import load_phrasing
    from copilot.drafting.playbook import load_playbook
    from copilot.onboarding.coverage import SITUATION_LABELS

    situations = load_playbook(None, load_phrasing().get("situational_tags", {})).situations
    assert set(situations) - set(SITUATION_LABELS) == set()
