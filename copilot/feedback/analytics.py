"""The numbers a service manager acts on, from served drafts and agents' feedback."""

import numpy as np
from pydantic import BaseModel, Field

from copilot.feedback.store import Totals
from copilot.index.embeddings import CopilotEmbeddings
from copilot.index.text import normalize
from copilot.stats import ratio

# when agents edit or reject more than this share of an intent's drafts, its knowledge needs work
INTERVENTION_LIMIT = 0.30
SAME_QUESTION = 0.75  # cosine at which two gap questions count as the same question
TOP_INTENTS = 10


class IntentStats(BaseModel):
    """How agents received one intent's drafts."""

    intent: str
    requests: int
    feedback: int
    accepted_rate: float | None
    edited_rate: float | None
    rejected_rate: float | None
    intervention_rate: float | None = Field(description="(edited + rejected) / feedback")
    needs_knowledge_work: bool = Field(description=f"intervention above {INTERVENTION_LIMIT:.0%}")


class GapGroup(BaseModel):
    """Questions the knowledge did not answer, grouped by meaning."""

    question: str
    count: int
    examples: list[str]


class DayStats(BaseModel):
    """One day of traffic and feedback (local dates)."""

    date: str
    requests: int
    accepted_rate: float | None
    intervention_rate: float | None
    escalations: int
    knowledge_gaps: int


class Analytics(BaseModel):
    """GET /v1/analytics."""

    requests: int
    feedback: int
    top_intents: list[IntentStats]
    knowledge_gaps: list[GapGroup]
    compliance_hits: dict[str, int]
    escalation_rate: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    modes: dict[str, int]
    days: list[DayStats] = Field(default_factory=list, description="per day, oldest first")


def _intent_stats(intent: str, requests: int, actions: dict[str, int]) -> IntentStats:
    total = sum(actions.values())
    intervention = ratio(actions.get("edited", 0) + actions.get("rejected", 0), total)
    return IntentStats(
        intent=intent,
        requests=requests,
        feedback=total,
        accepted_rate=ratio(actions.get("accepted", 0), total),
        edited_rate=ratio(actions.get("edited", 0), total),
        rejected_rate=ratio(actions.get("rejected", 0), total),
        intervention_rate=intervention,
        needs_knowledge_work=intervention is not None and intervention > INTERVENTION_LIMIT,
    )


def group_questions(
    questions: list[tuple[str, int]], embeddings: CopilotEmbeddings
) -> list[GapGroup]:
    """Distinct questions with their counts, grouped by meaning; biggest groups first.

    Greedy: each question joins the group whose first (most frequent) question is closest.
    """
    if not questions:
        return []
    vectors = embeddings.encode([normalize(q) for q, _ in questions])
    heads: list[int] = []
    members: list[list[int]] = []
    for index, vector in enumerate(vectors):
        scores = vectors[heads] @ vector if heads else np.empty(0)
        best = int(np.argmax(scores)) if len(scores) else -1
        if best >= 0 and scores[best] >= SAME_QUESTION:
            members[best].append(index)
        else:
            heads.append(index)
            members.append([index])
    groups = []
    for group in members:
        ranked = sorted((questions[i] for i in group), key=lambda item: -item[1])
        groups.append(
            GapGroup(
                question=ranked[0][0],
                count=sum(count for _, count in ranked),
                examples=[text for text, _ in ranked[:5]],
            )
        )
    return sorted(groups, key=lambda g: -g.count)


def compute_analytics(totals: Totals, embeddings: CopilotEmbeddings) -> Analytics:
    """Analytics from a window's totals (aggregated by the store)."""
    ranked = sorted(totals.intents.items(), key=lambda item: (-item[1], item[0]))[:TOP_INTENTS]
    return Analytics(
        requests=totals.requests,
        feedback=totals.feedback,
        top_intents=[
            _intent_stats(intent, count, totals.actions.get(intent, {})) for intent, count in ranked
        ],
        knowledge_gaps=group_questions(totals.gap_questions, embeddings),
        compliance_hits=totals.compliance_hits,
        escalation_rate=ratio(totals.escalated, totals.requests),
        latency_p50_ms=totals.latency_p50,
        latency_p95_ms=totals.latency_p95,
        modes=totals.modes,
        days=[_day(date, numbers) for date, numbers in sorted(totals.days.items())],
    )


def _day(date: str, numbers: dict[str, int]) -> DayStats:
    feedback = sum(numbers.get(a, 0) for a in ("accepted", "edited", "rejected"))
    intervened = numbers.get("edited", 0) + numbers.get("rejected", 0)
    return DayStats(
        date=date,
        requests=numbers["requests"],
        accepted_rate=ratio(numbers.get("accepted", 0), feedback),
        intervention_rate=ratio(intervened, feedback),
        escalations=numbers["escalated"],
        knowledge_gaps=numbers["gaps"],
    )
