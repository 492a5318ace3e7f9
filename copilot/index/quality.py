"""Retrieval quality on a labelled question set: recall@k and MRR, per retrieval method."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from copilot.errors import CopilotError
from copilot.index.retriever import HybridRetriever, Method


class LabelledQuestion(BaseModel):
    """A customer question and the id(s) of the chunk(s) that answer it."""

    q: str = Field(min_length=1)
    gold: list[str] = Field(min_length=1)
    sku: str | None = None


@dataclass
class RetrievalQuality:
    """Scores of one method over a question set."""

    method: str
    k: int
    recall_at_k: float
    mrr: float
    questions: int
    misses: list[dict] = field(default_factory=list)


def load_questions(path: Path) -> list[LabelledQuestion]:
    """Read a JSONL question set; errors name the line."""
    questions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            questions.append(LabelledQuestion.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise CopilotError(f"{path}, line {number}: {exc}") from exc
    return questions


def evaluate(
    retriever: HybridRetriever,
    questions: list[LabelledQuestion],
    k: int = 5,
    method: Method = "hybrid",
) -> RetrievalQuality:
    """Recall@k (a gold chunk in the top k) and MRR of the first gold chunk (cut at k)."""
    found = 0
    reciprocal = 0.0
    misses = []
    for question in questions:
        ids = [
            hit.id
            for hit in retriever.search(question.q, k, prefer_sku=question.sku, method=method)
        ]
        rank = next((i for i, chunk_id in enumerate(ids, 1) if chunk_id in question.gold), None)
        if rank is None:
            misses.append({"q": question.q, "gold": question.gold, "got": ids})
            continue
        found += 1
        reciprocal += 1.0 / rank
    total = len(questions) or 1
    return RetrievalQuality(method, k, found / total, reciprocal / total, len(questions), misses)
