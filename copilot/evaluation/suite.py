"""The eval as one call: pick the target, build the metrics, run, write reports, apply the gate."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from copilot.compliance.guard import ComplianceGuard
from copilot.compliance.lexicon import load_lexicon
from copilot.config import REPO_DIR, Settings
from copilot.errors import ConfigError
from copilot.evaluation.cases import load_golden
from copilot.evaluation.gate import load_baseline, load_thresholds, regressions
from copilot.evaluation.metrics import (
    ComplianceViolations,
    EmotionAccuracy,
    Empathy,
    EscalationMatch,
    FactCoverage,
    GapMatch,
    Grounding,
    IntentAccuracy,
    Metric,
    ReferenceCosine,
    Relevance,
    RetrievalRecall,
    RetrievalReciprocalRank,
    RougeL,
)
from copilot.evaluation.report import write_reports
from copilot.evaluation.runner import EvalReport, run_eval
from copilot.evaluation.targets import HttpTarget, InProcessTarget, Target
from copilot.index.embeddings import CopilotEmbeddings, build_embeddings
from copilot.knowledge import build_chunks, load_knowledge
from copilot.understand.transfer import (
    REALISTIC_SETS,
    TransferReport,
    headline,
    loco_report,
    realistic_report,
)

EVAL_DIR = REPO_DIR / "eval"
Mode = Literal["offline", "llm"]


@dataclass
class EvalResult:
    """The report, where it was written, and what the gate found (empty: passed)."""

    report: EvalReport
    paths: tuple[Path, Path] | None = None
    regressions: list[str] = field(default_factory=list)


def standard_metrics(
    knowledge_dir: Path, embeddings: CopilotEmbeddings, guard: ComplianceGuard | None = None
) -> list[Metric]:
    """Every metric of the suite, judged against this knowledge directory."""
    chunk_texts = {chunk.id: chunk.text for chunk in build_chunks(load_knowledge(knowledge_dir))}
    return [
        IntentAccuracy(),
        EmotionAccuracy(),
        EscalationMatch(),
        FactCoverage(),
        Relevance(),
        ComplianceViolations(guard or ComplianceGuard(load_lexicon(knowledge_dir))),
        Empathy(),
        Grounding(chunk_texts),
        GapMatch(),
        RetrievalRecall(),
        RetrievalReciprocalRank(),
        ReferenceCosine(embeddings),
        RougeL(),
    ]


def in_process_target(settings: Settings, mode: Mode) -> InProcessTarget:
    """The copilot built from settings, its index synced with the knowledge first."""
    from copilot.container import build_copilot

    if mode == "llm" and not settings.llm_enabled:
        raise ConfigError(
            "--mode llm needs an LLM: set COPILOT_LLM_MODEL (and COPILOT_LLM_BASE_URL, "
            "OPENAI_API_KEY)"
        )
    if mode == "offline":
        settings = settings.model_copy(update={"llm_model": None, "llm_base_url": None})
    copilot = build_copilot(settings)
    copilot.ingest()
    return InProcessTarget(copilot)


def transfer_reports(copilot, loco: bool = False) -> list[TransferReport]:
    """How the copilot's understanding transfers to unseen shops (and categories, with loco)."""
    analyzer = copilot.analyzer
    reports = [realistic_report(analyzer.encoder, analyzer.model, name) for name in REALISTIC_SETS]
    if loco:
        reports.append(loco_report(analyzer.encoder))
    return reports


def judge_metrics(settings: Settings) -> list[Metric]:
    """The LLM-as-judge rubric (needs an LLM configured)."""
    from copilot.evaluation.judge import LLMJudge
    from copilot.prompts import PromptLibrary

    if not settings.llm_enabled:
        raise ConfigError("--judge needs an LLM: set COPILOT_LLM_MODEL (and COPILOT_LLM_BASE_URL)")
    return LLMJudge(settings, PromptLibrary(settings.prompts_dir)).metrics()


def evaluate(
    settings: Settings,
    golden: Path | None = None,
    mode: Mode = "offline",
    url: str | None = None,
    report_dir: Path | None = None,
    baseline: Path | None = None,
    thresholds: Path | None = None,
    judge: bool = False,
    target: Target | None = None,
    progress: Callable[[int, int], None] | None = None,
    loco: bool = False,
    transfer: bool = True,
) -> EvalResult:
    """Run the golden set and, with a baseline, apply the regression gate.

    In process, the understanding model is also scored on the realistic set (and, with loco,
    leave-one-category-out, which trains one model per category: minutes, not seconds);
    transfer=False skips that (the shops run: the model is the same for every shop).
    """
    golden = golden or EVAL_DIR / "golden"
    cases = load_golden(golden)
    if target is None:
        target = HttpTarget(url) if url else in_process_target(settings, mode)
    guard = target.copilot.guard if isinstance(target, InProcessTarget) else None
    embeddings = (
        target.copilot.embeddings
        if isinstance(target, InProcessTarget)
        else build_embeddings(settings)
    )
    metrics = standard_metrics(settings.knowledge_dir, embeddings, guard)
    if judge:
        metrics += judge_metrics(settings)
    report = run_eval(cases, target, metrics, str(golden), progress)
    if transfer and isinstance(target, InProcessTarget):
        report.transfer = transfer_reports(target.copilot, loco)
        for reading in report.transfer:
            report.metrics.update(headline(reading))
    result = EvalResult(report)
    if report_dir is not None:
        result.paths = write_reports(report, report_dir)
    if baseline is not None:
        rules = load_thresholds(thresholds or EVAL_DIR / "thresholds.yaml")
        result.regressions = regressions(report.metrics, load_baseline(baseline), rules)
    return result
