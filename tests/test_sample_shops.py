"""Every sample shop of eval/shops.yaml, each scored on its own golden set and held to its own gate.

shops/pet-supplies has products and rules but no scripts, shops/baby-care products only: every
draft they get beyond their facts comes from the built-in playbook. The floors in eval/shops.yaml
are the issue's targets where they are met (a draft for every case, grounding, relevance,
empathy) and the measured level where they are not yet (fact coverage, knowledge gaps: see the
README); the built-in playbook must hold none of any shop's specifics.
"""

import shutil

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.evaluation.shops import evaluate_shops, load_shops, playbook_specifics
from tests.conftest import make_settings

SHOPS = load_shops()
ISSUE_12_SHOPS = {"bundled", "pet-supplies", "baby-care"}


@pytest.fixture(scope="module", params=sorted(SHOPS))
def shop_result(request, tmp_path_factory):
    name = request.param
    settings = make_settings(tmp_path_factory.mktemp(name))
    [result] = evaluate_shops(settings, SHOPS, [name])
    return result


def test_every_case_of_every_shop_gets_a_draft(shop_result):
    report = shop_result.report
    # issue 12's sample shops have 120 cases or more; the import examples (issue 15) and the
    # shop written to measure transfer on unseen cases (home-textile) have 40 or more
    assert report.cases >= (120 if shop_result.name in ISSUE_12_SHOPS else 40)
    assert [r.id for r in report.results if not r.drafts] == []
    assert report.metrics["drafted"] == 1.0


def test_every_shop_meets_its_own_gate(shop_result):
    assert shop_result.problems == []
    metrics = shop_result.report.metrics
    assert metrics["grounding"] == 1.0 and metrics["compliance_violations"] == 0
    assert metrics["relevance"] is None or metrics["relevance"] >= 0.95  # None: no case sets any
    assert shop_result.specifics == []


def test_a_shops_product_named_in_the_playbook_is_reported(tmp_path):
    """A shop selling parcel lockers (快递柜): the signed-not-received move names one."""
    (tmp_path / "products").mkdir()
    (tmp_path / "products" / "lockers.yaml").write_text(
        "- sku: LK-1\n  name: 快递柜\n  price: 999\n", encoding="utf-8"
    )
    assert playbook_specifics(tmp_path) == ["快递柜"]


def test_cli_scores_each_shop_and_fails_the_one_below_its_floor(tmp_path, tiny_shop):
    golden = tmp_path / "tiny.jsonl"
    shutil.copy(SHOPS["pet-supplies"].golden, golden)  # any golden set works on any shop
    shops_file = tmp_path / "shops.yaml"
    shops_file.write_text(
        f"shops:\n"
        f"  tiny:\n    knowledge: {tiny_shop}\n    golden: {golden}\n"
        f"    floors: {{drafted: 1.0, fact_coverage: 0.99}}\n"
        f"    targets: {{fact_coverage: 0.95}}\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["eval", "--shops", "--shops-file", str(shops_file), "--data-dir", str(tmp_path / "d")]
    result = runner.invoke(app, [*args, "--report", str(tmp_path / "r")])
    assert result.exit_code == 1, result.output
    assert "tiny: fact_coverage" in result.output and "below its floor 0.99" in result.output
    assert "tiny: below target: fact_coverage" in result.output
    assert (tmp_path / "r" / "tiny" / "report.json").exists()
    unknown = runner.invoke(app, [*args, "--shop", "nope"])
    assert unknown.exit_code != 0 and "no shop nope" in unknown.output


def test_imported_knowledge_drafts_about_as_well_as_the_same_shop_written_by_hand(tmp_path):
    """The tea shop's import and a hand-written version of the same facts, on one golden set:
    the import is within ten points of the hand-written knowledge on every quality measure, or
    within one case where a measure has too few cases for ten points (8 knowledge gaps: one
    case is 12.5 points)."""
    import json

    settings = make_settings(tmp_path)
    imported, handwritten = evaluate_shops(settings, SHOPS, ["tea-shop", "tea-shop-handwritten"])
    golden = SHOPS["tea-shop"].golden
    cases = [
        json.loads(line) for path in golden.glob("*.jsonl") for line in path.open(encoding="utf-8")
    ]
    gaps = sum(case["gap"] for case in cases)
    for metric in ("fact_coverage", "gap_precision", "gap_recall", "empathy", "intent_accuracy"):
        ours, theirs = imported.report.metrics[metric], handwritten.report.metrics[metric]
        tolerance = max(0.10, 1 / gaps) if metric.startswith("gap") else 0.10
        assert ours >= theirs - tolerance - 1e-9, (metric, ours, theirs)
