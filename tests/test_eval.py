"""The offline eval suite: golden set, metrics, reports, the regression gate, targets, judge."""

import copy
import json
import math
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from copilot.api.app import create_app
from copilot.cli import app as cli
from copilot.config import REPO_DIR
from copilot.drafting.offline import OfflineDrafter, load_phrasing
from copilot.errors import KnowledgeError
from copilot.evaluation.cases import GoldenCase, load_golden
from copilot.evaluation.gate import Thresholds, regressions
from copilot.evaluation.metrics import (
    FactCoverage,
    Grounding,
    Outcome,
    Relevance,
    RougeL,
    lcs_length,
)
from copilot.evaluation.suite import evaluate
from copilot.evaluation.targets import HttpTarget, InProcessTarget
from copilot.knowledge.taxonomy import INTENT_STAGES, INTENTS
from copilot.schemas import Citation, Draft, DraftResponse, Escalation
from copilot.service import Copilot

GOLDEN = REPO_DIR / "eval" / "golden"
BASELINE = REPO_DIR / "eval" / "baseline.json"


@pytest.fixture(scope="module")
def cases():
    return load_golden(GOLDEN)


def test_golden_set_covers_intents_stages_moods_and_adversarial_cases(cases, bundled_copilot):
    assert len(cases) >= 300
    assert {c.intent for c in cases} == set(INTENTS)
    stages = {c.stage or INTENT_STAGES[c.intent][0] for c in cases}
    stages |= {"insale" for c in cases if c.order and c.order.status in ("paid", "shipped")}
    assert stages == {"presale", "insale", "aftersale"}
    tags = {t for c in cases for t in c.tags}
    for tag in (
        "traditional",
        "multi_turn",
        "slang",
        "gap",
        "bait",
        "injection",
        "phishing",
        "pii",
        "beyond_policy",
    ):
        assert tag in tags, tag
    assert sum(c.empathy for c in cases) >= 60 and sum(c.escalate for c in cases) >= 20
    for case in cases:
        for chunk_id in case.gold:
            assert bundled_copilot.retriever.chunk(chunk_id) is not None, (case.id, chunk_id)


def test_broken_golden_lines_are_named_with_file_line_and_field(tmp_path):
    bad = tmp_path / "mine.jsonl"
    bad.write_text(
        '{"id": "a", "message": "在吗", "intent": "greeting", "reference": "在的"}\n'
        '{"id": "b", "message": "在吗", "intent": "hello", "reference": "在的"}\n'
        "not json\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as error:
        load_golden(bad)
    assert "mine.jsonl, line 2: field 'intent'" in str(error.value)
    assert "mine.jsonl, line 3: not JSON" in str(error.value)


def response(text: str, citations=(), intent="shipping") -> DraftResponse:
    return DraftResponse(
        intent=intent,
        stage="insale",
        emotion="calm",
        urgency="low",
        escalate=Escalation(needed=False),
        request_id="x",
        knowledge_gap=False,
        drafts=[Draft(text=text, strategy="直接解答", citations=list(citations))],
        mode="offline",
        latency_ms=1.0,
    )


def shipping_case(message: str, reference: str, **expectations) -> GoldenCase:
    return GoldenCase(
        id="t", message=message, intent="shipping", reference=reference, **expectations
    )


def test_metrics_score_facts_grounding_and_character_rouge():
    case = shipping_case("能发顺丰吗", "可以补10元发顺丰", facts=[["10元"], ["199", "满减"]])
    cite = Citation(id="rule:x", type="rule", source="r.md", snippet="")
    outcome = Outcome(response("补10元可以发顺丰，3天到", [cite]))
    coverage = FactCoverage().score(case, outcome)
    assert coverage.value == 0.5 and "199 or 满减" in coverage.reason
    grounding = Grounding({"rule:x": "需要顺丰补10元"}).score(case, outcome)
    assert grounding.value == 0.0 and "3" in grounding.reason
    assert Grounding({"rule:x": "补10元，3天内"}).score(case, outcome).value == 1.0
    assert lcs_length("abcde", "ace") == 3
    assert RougeL().score(case, Outcome(response("可以补10元发顺丰"))).value == 1.0


def test_relevance_counts_drafts_that_carry_a_fact_answering_something_else():
    case = shipping_case(
        "怎么还没发货",
        "付款后48小时内发货，我帮您催一下。",
        forbidden_facts=["七天无理由", "仅退款"],
    )
    two = response("付款后48小时内发货。")
    two.drafts.append(Draft(text="未发货可以申请仅退款。", strategy="补充说明"))
    scored = Relevance().score(case, Outcome(two))
    assert scored.value == 0.5 and "仅退款" in scored.reason
    assert Relevance().score(case, Outcome(response("付款后48小时内发货。"))).value == 1.0
    plain = case.model_copy(update={"forbidden_facts": []})
    assert math.isnan(Relevance().score(plain, Outcome(two)).value)


def test_gate_reports_drops_beyond_tolerance_and_ceilings():
    rules = Thresholds.model_validate(
        {"metrics": {"empathy": {"max_drop": 0.03}, "compliance_violations": {"max": 0}}}
    )
    baseline = {"empathy": 0.9, "compliance_violations": 0}
    assert regressions({"empathy": 0.88, "compliance_violations": 0}, baseline, rules) == []
    problems = regressions({"empathy": 0.8, "compliance_violations": 2}, baseline, rules)
    assert len(problems) == 2 and problems[0].startswith("empathy: 0.8000 dropped")


@pytest.fixture(scope="module")
def offline_result(bundled_copilot, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    return evaluate(
        bundled_copilot.settings,
        target=InProcessTarget(bundled_copilot),
        report_dir=folder,
        baseline=BASELINE,
    )


def test_offline_eval_meets_the_checked_in_baseline(offline_result):
    metrics = offline_result.report.metrics
    print("\n" + json.dumps(metrics, ensure_ascii=False))
    assert offline_result.regressions == []
    assert metrics["compliance_violations"] == 0 and metrics["errors"] == 0
    assert metrics["intent_accuracy"] >= 0.85 and metrics["grounding"] >= 0.95


def test_reports_are_written_and_readable(offline_result):
    json_path, html_path = offline_result.paths
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["cases"] >= 300 and len(data["results"]) == data["cases"]
    assert len(data["confusion"]["matrix"]) == len(INTENTS)
    html = html_path.read_text(encoding="utf-8")
    for part in (
        "核心指标",
        "各意图准确率",
        "意图混淆矩阵",
        "延迟分布",
        "未达标用例",
        "<svg",
        "<table",
    ):
        assert part in html
    assert "<script" not in html and "src=" not in html and "<link" not in html  # self-contained
    failed = next(r for r in data["results"] if r["reasons"])
    assert failed["id"] in html


def test_removing_the_empathy_openers_fails_the_gate(bundled_copilot):
    phrasing = copy.deepcopy(load_phrasing())
    for key in ("short_apology", "acknowledge_only"):
        phrasing[key] = ""
    phrasing["apology"] = {k: "" for k in phrasing["apology"]}
    phrasing["acknowledgement"] = {k: "" for k in phrasing["acknowledgement"]}
    c = bundled_copilot
    cold = Copilot(
        c.settings,
        c.embeddings,
        c.store,
        c.retriever,
        c.analyzer,
        c.grounder,
        OfflineDrafter(phrasing),
    )
    result = evaluate(c.settings, target=InProcessTarget(cold), baseline=BASELINE)
    assert any(problem.startswith("empathy:") for problem in result.regressions), result.regressions


def test_a_running_server_is_scored_over_http_like_the_core(bundled_copilot, cases, tmp_path):
    few = tmp_path / "few.jsonl"
    few.write_text(
        "\n".join(c.model_dump_json(exclude_none=True) for c in cases[:: len(cases) // 12]),
        encoding="utf-8",
    )
    with TestClient(create_app(copilot=bundled_copilot)) as client:
        over_http = evaluate(
            bundled_copilot.settings,
            golden=few,
            target=HttpTarget("http://testserver", client=client),
        )
    in_process = evaluate(
        bundled_copilot.settings, golden=few, target=InProcessTarget(bundled_copilot)
    )
    for name in ("intent_accuracy", "fact_coverage", "retrieval_recall_at_k", "empathy"):
        assert over_http.report.metrics[name] == in_process.report.metrics[name], name


def test_cli_eval_writes_reports_and_exits_1_on_a_regression(tmp_path, tiny_shop, cases):
    golden = tmp_path / "tea.jsonl"
    golden.write_text(
        '{"id": "t1", "message": "龙井怎么泡好喝", "intent": "product_info", '
        '"facts": [["80度"]], "gold": ["faq:TEA-01:1"], "reference": "用80度左右的水冲泡。"}\n'
        '{"id": "t2", "message": "什么时候发货", "intent": "shipping", '
        '"facts": [["24小时"]], "gold": ["rule:delivery:发货时效"], '
        '"reference": "付款后24小时内发货。"}\n',
        encoding="utf-8",
    )
    common = [
        "--golden",
        str(golden),
        "--knowledge",
        str(tiny_shop),
        "--data-dir",
        str(tmp_path / "data"),
    ]
    runner = CliRunner()
    result = runner.invoke(cli, ["eval", *common, "--report", str(tmp_path / "r1")])
    assert result.exit_code == 0, result.output
    assert "fact_coverage            1" in result.stdout
    assert (tmp_path / "r1" / "report.html").exists()
    better = json.loads((tmp_path / "r1" / "report.json").read_text(encoding="utf-8"))
    better["metrics"]["fact_coverage"] = 1.5  # a baseline no run can meet
    (tmp_path / "base.json").write_text(json.dumps(better), encoding="utf-8")
    gated = runner.invoke(
        cli,
        [
            "eval",
            *common,
            "--report",
            str(tmp_path / "r2"),
            "--baseline",
            str(tmp_path / "base.json"),
        ],
    )
    assert gated.exit_code == 1 and "fact_coverage" in gated.output


def test_cli_eval_explains_a_missing_golden_file(tmp_path):
    result = CliRunner().invoke(cli, ["eval", "--golden", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 1 and "no such golden file" in result.output


def test_llm_judge_scores_the_rubric_through_the_real_client(bundled_copilot, fake_openai, cases):
    from tests.conftest import make_settings

    settings = make_settings(
        Path(bundled_copilot.settings.data_dir).parent,
        data_dir=bundled_copilot.settings.data_dir,
        llm_base_url=fake_openai.base_url,
        llm_model="judge",
    )
    few = cases[:3]
    fake_openai.enqueue(
        *[json.dumps({"correctness": 4, "empathy": 5, "politeness": 5, "reason": "好"})] * 2,
        "not json",
    )
    golden = Path(settings.data_dir).parent / "judge.jsonl"
    golden.write_text("\n".join(c.model_dump_json(exclude_none=True) for c in few), "utf-8")
    result = evaluate(settings, golden=golden, target=InProcessTarget(bundled_copilot), judge=True)
    metrics = result.report.metrics
    assert metrics["judge_correctness"] == 4.0 and metrics["judge_empathy"] == 5.0
    assert any("judge" in reason for r in result.report.results for reason in r.reasons)
    prompt = fake_openai.chat_requests()[0]["messages"][1]["content"]
    assert json.dumps(few[0].message, ensure_ascii=False) in prompt
