"""The numbers a service manager acts on, from served drafts and agents' feedback."""

import statistics
from collections import Counter

import numpy as np
from pydantic import BaseModel, Field

from copilot.index.embeddings import CopilotEmbeddings
from copilot.index.text import normalize
from copilot.stats import percentile, ratio

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


def _intent_stats(intent: str, rows: list[dict]) -> IntentStats:
    actions = Counter(action for row in rows for action in row["actions"])
    total = sum(actions.values())
    intervention = ratio(actions["edited"] + actions["rejected"], total)
    return IntentStats(
        intent=intent,
        requests=len(rows),
        feedback=total,
        accepted_rate=ratio(actions["accepted"], total),
        edited_rate=ratio(actions["edited"], total),
        rejected_rate=ratio(actions["rejected"], total),
        intervention_rate=intervention,
        needs_knowledge_work=intervention is not None and intervention > INTERVENTION_LIMIT,
    )


def group_questions(questions: list[str], embeddings: CopilotEmbeddings) -> list[GapGroup]:
    """Greedy grouping by cosine to each group's first question; biggest groups first."""
    if not questions:
        return []
    vectors = embeddings.encode([normalize(q) for q in questions])
    heads: list[int] = []
    members: list[list[int]] = []
    for index, vector in enumerate(vectors):
        scores = [float(vectors[head] @ vector) for head in heads]
        best = int(np.argmax(scores)) if scores else -1
        if best >= 0 and scores[best] >= SAME_QUESTION:
            members[best].append(index)
        else:
            heads.append(index)
            members.append([index])
    groups = []
    for group in members:
        texts = [questions[i] for i in group]
        common = Counter(texts).most_common()
        groups.append(
            GapGroup(question=common[0][0], count=len(texts), examples=[t for t, _ in common[:5]])
        )
    return sorted(groups, key=lambda g: -g.count)


def compute_analytics(rows: list[dict], embeddings: CopilotEmbeddings) -> Analytics:
    """Analytics over served responses (each with its feedback actions)."""
    by_intent: dict[str, list[dict]] = {}
    for row in rows:
        by_intent.setdefault(row["intent"], []).append(row)
    ranked = sorted(by_intent.items(), key=lambda item: -len(item[1]))[:TOP_INTENTS]
    hits: Counter[str] = Counter()
    for row in rows:
        hits.update(row["compliance_hits"])
    latencies = [row["latency_ms"] for row in rows]
    return Analytics(
        requests=len(rows),
        feedback=sum(len(row["actions"]) for row in rows),
        top_intents=[_intent_stats(intent, group) for intent, group in ranked],
        knowledge_gaps=group_questions(
            [row["message"] for row in rows if row["knowledge_gap"]], embeddings
        ),
        compliance_hits=dict(hits.most_common()),
        escalation_rate=ratio(sum(row["escalated"] for row in rows), len(rows)),
        latency_p50_ms=round(statistics.median(latencies), 2) if latencies else None,
        latency_p95_ms=percentile(latencies, 0.95),
        modes=dict(Counter(row["mode"] for row in rows)),
    )
