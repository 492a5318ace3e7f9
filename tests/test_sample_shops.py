"""Sample shops other than the bundled one, each with its own golden set, gated on its own.

shops/pet-supplies has products and rules but no scripts: every draft it gets beyond its facts
comes from the built-in playbook. The floors are the issue's targets where they are met
(a draft for every case, grounding, no violations, empathy, relevance) and the measured level
where they are not yet (fact coverage, see the README).
"""

import pytest

from copilot.config import REPO_DIR
from copilot.container import build_copilot
from copilot.evaluation.suite import evaluate
from copilot.evaluation.targets import InProcessTarget
from tests.conftest import make_settings

SHOPS = {"pet-supplies": {"fact_coverage": 0.64, "intent_accuracy": 0.88}}


@pytest.fixture(scope="module", params=sorted(SHOPS))
def shop_result(request, tmp_path_factory):
    name = request.param
    settings = make_settings(
        tmp_path_factory.mktemp(name), knowledge_dir=REPO_DIR / "shops" / name, shop=name
    )
    copilot = build_copilot(settings)
    copilot.ingest()
    golden = REPO_DIR / "eval" / "shops" / f"{name}.jsonl"
    return name, evaluate(settings, golden=golden, target=InProcessTarget(copilot)).report


def test_every_case_of_a_sample_shop_gets_a_draft(shop_result):
    _, report = shop_result
    assert report.cases >= 60
    assert [r.id for r in report.results if not r.drafts] == []


def test_a_sample_shop_meets_its_gates(shop_result):
    name, report = shop_result
    metrics = report.metrics
    assert metrics["grounding"] == 1.0 and metrics["compliance_violations"] == 0
    assert metrics["errors"] == 0
    assert metrics["empathy"] >= 0.95 and metrics["relevance"] >= 0.95
    for metric, floor in SHOPS[name].items():
        assert metrics[metric] >= floor, (metric, metrics[metric])
