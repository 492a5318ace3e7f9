"""Golden cases: what a good reply to a customer's message must (and must not) do.

The format is documented in eval/README.md; another shop writes its own set against its own
knowledge. Loading validates every line and names file, line and field on error.
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from copilot.datafiles import validated_jsonl
from copilot.errors import KnowledgeError
from copilot.knowledge.taxonomy import Intent, Stage
from copilot.schemas import CustomerContext, DraftRequest, Emotion, OrderContext, Turn


class GoldenCase(BaseModel):
    """One customer message and the expectations a good reply meets."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=64)
    message: str = Field(min_length=1)
    history: list[Turn] = Field(default_factory=list)
    sku: str | None = None
    order: OrderContext | None = None
    customer: CustomerContext | None = None
    intent: Intent
    emotion: Emotion | None = Field(
        default=None, description="How the customer feels: calm, anxious or angry."
    )
    stage: Stage | None = None
    escalate: bool = False
    facts: list[list[str]] = Field(
        default_factory=list,
        description="Any-of groups: the first draft must contain one phrase of every group.",
    )
    must_not: list[str] = Field(default_factory=list, description="Phrases no draft may contain.")
    forbidden_facts: list[str] = Field(
        default_factory=list,
        description="Facts that answer something else: a draft carrying one is off the point.",
    )
    empathy: bool = False
    gold: list[str] = Field(default_factory=list, description="Chunk ids that answer it.")
    gap: bool = False
    reference: str = Field(min_length=1, description="The reply a good agent would send.")
    tags: list[str] = Field(default_factory=list)

    def request(self) -> DraftRequest:
        """The draft request this case sends."""
        return DraftRequest(
            message=self.message,
            history=self.history,
            sku=self.sku,
            order=self.order,
            customer=self.customer,
        )


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise KnowledgeError([f"{path}: no *.jsonl golden files in this folder"])
        return files
    if not path.exists():
        raise KnowledgeError([f"{path}: no such golden file or folder"])
    return [path]


def load_golden(path: Path) -> list[GoldenCase]:
    """Every case of a golden file or folder; all problems are reported together."""
    rows, problems = validated_jsonl(_files(path), GoldenCase)
    if problems:
        raise KnowledgeError(problems)
    return [case for case, _ in rows]
