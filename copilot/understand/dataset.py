"""The labelled data the understanding models are trained on, validated row by row.

Utterances (data/utterances/*.jsonl): {id, text, intent, emotion, category, tags, source,
previous?}. Risk examples (data/risk/*.jsonl): {id, text, risk, source}. Category catalogs
(data/catalogs.yaml): the product vocabulary a shop of each category would have, used to mask
training rows the way a shop's own catalog masks its customers' messages.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from copilot.datafiles import validated_jsonl
from copilot.errors import TrainingDataError
from copilot.knowledge.taxonomy import Intent

Emotion = Literal["calm", "anxious", "angry"]
Risk = Literal["none", "prompt_injection", "phishing"]
GENERIC = "generic"  # rows that belong to no product category
DATA_DIR = Path(__file__).resolve().parent / "data"


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    text: str = Field(min_length=1, max_length=2000)
    source: str = Field(min_length=1)
    _where: str = PrivateAttr(default="")

    @property
    def where(self) -> str:
        """File and line the row was read from (for error messages)."""
        return self._where

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value


class Utterance(_Row):
    """A customer's message with what it wants and how the customer feels."""

    intent: Intent
    emotion: Emotion
    category: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    previous: str | None = Field(default=None, description="The customer's previous turn.")


class RiskExample(_Row):
    """A message that is, or only looks like, prompt injection or phishing."""

    risk: Risk


RowT = TypeVar("RowT", bound=_Row)


@dataclass(frozen=True)
class CategoryCatalog:
    """A category's product vocabulary (names, category words, attribute values)."""

    name: str
    terms: tuple[str, ...]


def _read_rows(folder: Path, model: type[RowT]) -> list[RowT]:
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise TrainingDataError([f"{folder}: no *.jsonl files"])
    rows, problems = validated_jsonl(files, model)
    if problems:
        raise TrainingDataError(problems)
    for row, where in rows:
        row._where = where
    return [row for row, _ in rows]


def load_utterances(folder: Path | None = None) -> list[Utterance]:
    """Every labelled utterance; all problems are reported together."""
    return _read_rows(folder or DATA_DIR / "utterances", Utterance)


def load_risk_examples(folder: Path | None = None) -> list[RiskExample]:
    """Every labelled risk example; all problems are reported together."""
    return _read_rows(folder or DATA_DIR / "risk", RiskExample)


def load_catalogs(path: Path | None = None) -> dict[str, CategoryCatalog]:
    """Category id -> its catalog vocabulary."""
    path = path or DATA_DIR / "catalogs.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TrainingDataError([f"{path.name}: cannot read ({exc})"]) from exc
    catalogs, problems = {}, []
    for category, entry in data.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("terms"), list):
            problems.append(f"{path.name}: category {category!r}: 'terms' must be a list")
            continue
        terms = tuple(str(term) for term in entry["terms"] if str(term).strip())
        catalogs[str(category)] = CategoryCatalog(str(entry.get("name", category)), terms)
    if problems:
        raise TrainingDataError(problems)
    return catalogs


def check_categories(rows: list[Utterance], catalogs: dict[str, CategoryCatalog]) -> None:
    """Every row's category has a catalog (or is generic)."""
    known = set(catalogs) | {GENERIC}
    problems = [
        f"{r.where}: field 'category': {r.category!r} has no entry in catalogs.yaml"
        for r in rows
        if r.category not in known
    ]
    if problems:
        raise TrainingDataError(problems)
