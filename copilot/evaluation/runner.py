"""Run a golden set against a target and aggregate the metrics into a report."""

import math
import statistics
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from copilot.evaluation.cases import GoldenCase
from copilot.evaluation.metrics import Metric, MetricResult, Outcome
from copilot.evaluation.targets import Target
from copilot.knowledge.taxonomy import INTENTS
from copilot.stats import percentile, ratio
from copilot.understand.transfer import TransferReport

LATENCY_BUCKETS = (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


class CaseReport(BaseModel):
    """One case's outcome: scores, and why it failed where it did."""

    id: str
    message: str
    tags: list[str]
    expected_intent: str
    intent: str | None
    expected_emotion: str | None = None
    emotion: str | None = None
    escalate: bool | None
    knowledge_gap: bool | None
    drafts: list[str]
    reference: str
    expected_facts: list[list[str]]
    latency_ms: float
    scores: dict[str, float | None]
    reasons: list[str]
    error: str | None = None

    @property
    def failed(self) -> bool:
        """Any reason recorded means the case fell short somewhere."""
        return bool(self.reasons or self.error)


class EvalReport(BaseModel):
    """Everything report.json holds."""

    created: str
    target: str
    golden: str
    cases: int
    metrics: dict[str, float | None]
    per_intent: dict[str, dict[str, float]]
    confusion: dict[str, list] = Field(description="labels, and matrix[expected][predicted]")
    latency_histogram: dict[str, list] = Field(description="bucket upper bounds (ms), counts")
    results: list[CaseReport]
    transfer: list[TransferReport] = Field(
        default_factory=list,
        description="Understanding on shops and categories never trained on (realistic set, "
        "and leave-one-category-out with --loco).",
    )


def _mean(values: list[float]) -> float | None:
    kept = [v for v in values if not math.isnan(v)]
    return round(statistics.fmean(kept), 4) if kept else None


def _precision_recall(pairs: list[tuple[bool, bool]]) -> tuple[float | None, float | None]:
    """(expected, predicted) pairs -> precision and recall of the positive class."""
    true_positive = sum(1 for expected, got in pairs if expected and got)
    predicted = sum(1 for _, got in pairs if got)
    actual = sum(1 for expected, _ in pairs if expected)
    return ratio(true_positive, predicted), ratio(true_positive, actual)


def _case_report(case: GoldenCase, outcome: Outcome, scores: dict[str, MetricResult]):
    response = outcome.response
    return CaseReport(
        id=case.id,
        message=case.message,
        tags=case.tags,
        expected_intent=case.intent,
        intent=response.intent if response else None,
        expected_emotion=case.emotion,
        emotion=response.emotion if response else None,
        escalate=response.escalate.needed if response else None,
        knowledge_gap=response.knowledge_gap if response else None,
        drafts=outcome.texts,
        reference=case.reference,
        expected_facts=case.facts,
        latency_ms=round(outcome.latency_ms, 2),
        scores={k: (None if math.isnan(r.value) else round(r.value, 4)) for k, r in scores.items()},
        reasons=[f"{name}: {r.reason}" for name, r in scores.items() if r.reason],
        error=outcome.error,
    )


def run_eval(
    cases: list[GoldenCase],
    target: Target,
    metrics: list[Metric],
    golden: str,
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Answer every case, score it with every metric, aggregate."""
    reports: list[CaseReport] = []
    outcomes: list[Outcome] = []
    per_metric: dict[str, list[float]] = {m.name: [] for m in metrics}
    for number, case in enumerate(cases, 1):
        outcome = target.answer(case)
        scores = {m.name: m.score(case, outcome) for m in metrics}
        for name, result in scores.items():
            per_metric[name].append(result.value)
        reports.append(_case_report(case, outcome, scores))
        outcomes.append(outcome)
        if progress:
            progress(number, len(cases))
    return EvalReport(
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        target=target.name,
        golden=golden,
        cases=len(cases),
        metrics=_aggregate(cases, reports, outcomes, per_metric),
        per_intent=_per_intent(reports),
        confusion=_confusion(reports),
        latency_histogram=_histogram([o.latency_ms for o in outcomes if o.response]),
        results=reports,
    )


def _aggregate(cases, reports, outcomes, per_metric) -> dict[str, float | None]:
    metrics: dict[str, float | None] = {}
    for name, values in per_metric.items():
        if name in ("escalation_match", "gap_match"):
            continue
        if name == "compliance_violations":
            metrics[name] = float(sum(v for v in values if not math.isnan(v)))
        else:
            metrics[name] = _mean(values)
    answered = [(c, r) for c, r in zip(cases, reports, strict=True) if r.error is None]
    esc = _precision_recall([(c.escalate, bool(r.escalate)) for c, r in answered])
    gap = _precision_recall([(c.gap, bool(r.knowledge_gap)) for c, r in answered])
    metrics["escalation_precision"], metrics["escalation_recall"] = esc
    felt = [(c, r) for c, r in answered if c.emotion is not None]
    angry = _precision_recall([(c.emotion == "angry", r.emotion == "angry") for c, r in felt])
    metrics["angry_precision"], metrics["angry_recall"] = angry
    metrics["gap_precision"], metrics["gap_recall"] = gap
    latencies = [o.latency_ms for o in outcomes if o.response]
    metrics["latency_p50_ms"] = percentile(latencies, 0.5)
    metrics["latency_p95_ms"] = percentile(latencies, 0.95)
    metrics["errors"] = float(sum(1 for r in reports if r.error))
    return metrics


def _per_intent(reports: list[CaseReport]) -> dict[str, dict[str, float]]:
    totals = Counter(r.expected_intent for r in reports)
    right = Counter(r.expected_intent for r in reports if r.intent == r.expected_intent)
    return {
        intent: {"cases": totals[intent], "accuracy": round(right[intent] / totals[intent], 4)}
        for intent in INTENTS
        if totals[intent]
    }


def _confusion(reports: list[CaseReport]) -> dict[str, list]:
    labels = list(INTENTS)
    matrix = [[0] * len(labels) for _ in labels]
    for r in reports:
        if r.intent in labels:
            matrix[labels.index(r.expected_intent)][labels.index(r.intent)] += 1
    return {"labels": labels, "matrix": matrix}


def _histogram(latencies: list[float]) -> dict[str, list]:
    counts = [0] * (len(LATENCY_BUCKETS) + 1)
    for value in latencies:
        index = next((i for i, b in enumerate(LATENCY_BUCKETS) if value <= b), len(LATENCY_BUCKETS))
        counts[index] += 1
    return {"upper_ms": [*LATENCY_BUCKETS, None], "counts": counts}
