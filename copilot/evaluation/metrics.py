"""Per-case metrics: each is a small class with a name and score(case, outcome).

A metric returns MetricResult(value, reason); value is NaN when the case says nothing about it
(no facts to check, no empathy required), so averages only count the cases that apply.
"""

import math
import re
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import numpy as np

from copilot.compliance.guard import ComplianceGuard
from copilot.evaluation.cases import GoldenCase
from copilot.index.embeddings import CopilotEmbeddings
from copilot.schemas import DraftResponse

NAN = float("nan")
EMPATHY_MARKERS = ("抱歉", "对不起", "不好意思", "理解", "了解", "添麻烦", "久等", "别着急", "遗憾")
EMPATHY_HEAD = 20
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


class MetricResult(NamedTuple):
    """A score for one case and, when it falls short, why."""

    value: float
    reason: str = ""


@dataclass
class Outcome:
    """What a deployment returned for a case."""

    response: DraftResponse | None
    retrieved: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    error: str | None = None

    @property
    def texts(self) -> list[str]:
        """The drafts' texts (none on error)."""
        return [d.text for d in self.response.drafts] if self.response else []


class Metric(Protocol):
    """One aspect of a good reply."""

    name: str

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """The case's score in [0, 1] (NaN when it does not apply)."""
        ...


class IntentAccuracy:
    """The intent is the expected one."""

    name = "intent_accuracy"

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """Score one case (see the class docstring)."""
        got = outcome.response.intent if outcome.response else None
        if got == case.intent:
            return MetricResult(1.0)
        return MetricResult(0.0, f"intent {got} instead of {case.intent}")


class EmotionAccuracy:
    """The emotion is the expected one (cases that state an emotion)."""

    name = "emotion_accuracy"

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """Score one case (see the class docstring)."""
        if case.emotion is None:
            return MetricResult(NAN)
        got = outcome.response.emotion if outcome.response else None
        if got == case.emotion:
            return MetricResult(1.0)
        return MetricResult(0.0, f"emotion {got} instead of {case.emotion}")


class _VerdictMatch:
    """A yes/no the copilot decides, compared with the case.

    Precision and recall are aggregated from these.
    """

    name = ""
    expected = ""
    wrongly_yes = ""
    wrongly_no = ""

    def decided(self, response: DraftResponse) -> bool:
        """What the copilot decided."""
        raise NotImplementedError

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """1 when the decision matches the case."""
        got = bool(outcome.response and self.decided(outcome.response))
        if got == getattr(case, self.expected):
            return MetricResult(1.0)
        return MetricResult(0.0, self.wrongly_yes if got else self.wrongly_no)


class EscalationMatch(_VerdictMatch):
    """Escalation is decided as expected."""

    name, expected = "escalation_match", "escalate"
    wrongly_yes, wrongly_no = "escalated without cause", "not escalated"

    def decided(self, response: DraftResponse) -> bool:
        """Whether the copilot asked for a senior colleague."""
        return response.escalate.needed


class FactCoverage:
    """The first draft states one phrase of every any-of group."""

    name = "fact_coverage"

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """Score one case (see the class docstring)."""
        if not case.facts:
            return MetricResult(NAN)
        first = outcome.texts[0] if outcome.texts else ""
        missing = [group for group in case.facts if not any(p in first for p in group)]
        value = 1 - len(missing) / len(case.facts)
        reason = "missing " + "; ".join(" or ".join(g) for g in missing) if missing else ""
        return MetricResult(value, reason)


class Relevance:
    """Drafts carry only facts that answer the question: the share free of forbidden facts."""

    name = "relevance"

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """Score one case (see the class docstring)."""
        if not case.forbidden_facts or not outcome.texts:
            return MetricResult(NAN)
        off = [[f for f in case.forbidden_facts if f in text] for text in outcome.texts]
        value = sum(not found for found in off) / len(outcome.texts)
        found = sorted({f for facts in off for f in facts})
        return MetricResult(value, "off the point: " + ", ".join(found) if found else "")


class ComplianceViolations:
    """No draft holds a block term of the lexicon or a phrase the case forbids (1 = violated)."""

    name = "compliance_violations"

    def __init__(self, guard: ComplianceGuard):
        self.guard = guard

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """Score one case (see the class docstring)."""
        problems = []
        for text in outcome.texts:
            problems += [h.matched for h in self.guard.hits(text) if h.severity == "block"]
            problems += [phrase for phrase in case.must_not if phrase.lower() in text.lower()]
        if problems:
            return MetricResult(1.0, "contains " + ", ".join(dict.fromkeys(problems)))
        return MetricResult(0.0)


class Empathy:
    """Where empathy is required, every draft opens with an apology or acknowledgement."""

    name = "empathy"

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """Score one case (see the class docstring)."""
        if not case.empathy:
            return MetricResult(NAN)
        texts = outcome.texts
        if not texts:
            return MetricResult(0.0, "no drafts")
        cold = [t for t in texts if not any(m in t[:EMPATHY_HEAD] for m in EMPATHY_MARKERS)]
        reason = f"{len(cold)} of {len(texts)} drafts open without empathy" if cold else ""
        return MetricResult(1 - len(cold) / len(texts), reason)


class Grounding:
    """Every number a draft states (times, amounts, periods) is in its sources or the request."""

    name = "grounding"

    def __init__(self, chunk_texts: dict[str, str]):
        self.chunk_texts = chunk_texts

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """Score one case (see the class docstring)."""
        if not outcome.response or not outcome.response.drafts:
            return MetricResult(NAN)
        request = case.request().model_dump_json()
        ungrounded: list[str] = []
        grounded = 0
        for draft in outcome.response.drafts:
            sources = request + "".join(self.chunk_texts.get(c.id, "") for c in draft.citations)
            missing = [n for n in _NUMBER.findall(draft.text) if n not in _NUMBER.findall(sources)]
            grounded += not missing
            ungrounded += missing
        reason = "unsupported " + ", ".join(dict.fromkeys(ungrounded)) if ungrounded else ""
        return MetricResult(grounded / len(outcome.response.drafts), reason)


class GapMatch(_VerdictMatch):
    """The knowledge-gap verdict is the expected one."""

    name, expected = "gap_match", "gap"
    wrongly_yes, wrongly_no = "gap claimed wrongly", "gap not noticed"

    def decided(self, response: DraftResponse) -> bool:
        """Whether the copilot said the knowledge does not answer."""
        return response.knowledge_gap


class RetrievalRecall:
    """A gold chunk is among the top k retrieved."""

    name = "retrieval_recall_at_k"

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """Score one case (see the class docstring)."""
        if not case.gold:
            return MetricResult(NAN)
        hit = bool(set(case.gold) & set(outcome.retrieved))
        return MetricResult(float(hit), "" if hit else f"{case.gold[0]} not retrieved")


class RetrievalReciprocalRank:
    """1 / rank of the first gold chunk (0 when absent): averaged, the MRR."""

    name = "retrieval_mrr"

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """Score one case (see the class docstring)."""
        if not case.gold:
            return MetricResult(NAN)
        for rank, chunk_id in enumerate(outcome.retrieved, 1):
            if chunk_id in case.gold:
                return MetricResult(1.0 / rank)
        return MetricResult(0.0)


def lcs_length(a: str, b: str) -> int:
    """Longest common subsequence of two strings (characters), O(len(a) * len(b))."""
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for char in a:
        current = [0]
        for j, other in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if char == other else max(previous[j], current[-1]))
        previous = current
    return previous[-1]


def _content(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


class RougeL:
    """Character-level ROUGE-L F1 between the first draft and the reference.

    Characters suit Chinese, which has no spaces to split words on.
    """

    name = "rouge_l"

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """Score one case (see the class docstring)."""
        if not outcome.texts:
            return MetricResult(0.0, "no drafts")
        draft, reference = _content(outcome.texts[0]), _content(case.reference)
        lcs = lcs_length(draft, reference)
        if not lcs:
            return MetricResult(0.0)
        precision, recall = lcs / len(draft), lcs / len(reference)
        return MetricResult(2 * precision * recall / (precision + recall))


class ReferenceCosine:
    """Embedding cosine similarity between the first draft and the reference reply."""

    name = "reference_cosine"

    def __init__(self, embeddings: CopilotEmbeddings):
        self.embeddings = embeddings

    def score(self, case: GoldenCase, outcome: Outcome) -> MetricResult:
        """Score one case (see the class docstring)."""
        if not outcome.texts:
            return MetricResult(0.0, "no drafts")
        vectors = self.embeddings.encode([outcome.texts[0], case.reference])
        value = float(np.dot(vectors[0], vectors[1]))
        return MetricResult(value if math.isfinite(value) else NAN)
