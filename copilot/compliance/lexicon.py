"""The lexicon: the copilot's own categories plus the shop's additions, with an allow-list.

Both files are validated; a broken one is a KnowledgeError naming the file and the field.
"""

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from copilot.errors import KnowledgeError
from copilot.knowledge.models import BannedWords

SHOP_LEXICON = Path("compliance") / "banned_words.yaml"
SHOP_EXPLANATION = "本店规定不得使用的词。"


def _texts(values):
    """YAML reads 12315 or 618 as numbers; every term is text."""
    return [str(value) for value in values] if isinstance(values, list) else values


class LexiconCategory(BaseModel):
    """One category of data/lexicon.yaml."""

    model_config = ConfigDict(extra="forbid")

    severity: Literal["block", "warn"]
    explanation: str = Field(min_length=1)
    terms: list[str] = Field(min_length=1)
    replacements: dict[str, str] = Field(default_factory=dict)
    negatable: bool = False
    homophones: bool = False

    _as_text = field_validator("terms", mode="before")(_texts)


class LexiconFile(BaseModel):
    """data/lexicon.yaml as a whole."""

    model_config = ConfigDict(extra="forbid")

    categories: dict[str, LexiconCategory]
    negations: list[str] = Field(default_factory=list)
    homophones: dict[str, list[str]] = Field(default_factory=dict)
    allow: list[str] = Field(default_factory=list)

    _as_text = field_validator("negations", "allow", mode="before")(_texts)


@dataclass(frozen=True)
class Term:
    """One banned term and what to tell the agent about it."""

    text: str
    category: str
    severity: str
    explanation: str
    replacement: str | None
    negatable: bool = False
    homophones: bool = False


@dataclass(frozen=True)
class Lexicon:
    """Terms to find, phrases that are never hits, and the files they came from."""

    terms: tuple[Term, ...]
    allow: tuple[str, ...]
    negations: tuple[str, ...] = ()
    homophones: dict[str, tuple[str, ...]] = field(default_factory=dict)
    files: tuple[Path, ...] = ()

    def by_category(self) -> dict[str, int]:
        """How many terms each category has."""
        counts: dict[str, int] = {}
        for term in self.terms:
            counts[term.category] = counts.get(term.category, 0) + 1
        return counts


def bundled_lexicon_path() -> Path:
    """The copilot's own lexicon file inside the package."""
    return Path(str(resources.files("copilot.compliance").joinpath("data", "lexicon.yaml")))


def _read_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError([f"{path}: cannot be read as YAML ({exc})"]) from exc


def _problems(path: Path, exc: ValidationError) -> KnowledgeError:
    return KnowledgeError(
        [f"{path}: field '{'.'.join(str(p) for p in e['loc'])}': {e['msg']}" for e in exc.errors()]
    )


def _bundled(path: Path) -> LexiconFile:
    try:
        return LexiconFile.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise _problems(path, exc) from exc


def _shop_terms(path: Path) -> list[Term]:
    """The shop's banned words; a missing file is fine, a broken one an error."""
    if not path.exists():
        return []
    try:
        shop = BannedWords.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise _problems(path, exc) from exc
    return [
        Term(str(word), name, category.severity, SHOP_EXPLANATION, category.replacements.get(word))
        for name, category in shop.categories.items()
        for word in category.words
    ]


def load_lexicon(knowledge_dir: Path | None = None, path: Path | None = None) -> Lexicon:
    """The bundled lexicon (or `path`) plus the shop's banned words from its knowledge dir."""
    path = path or bundled_lexicon_path()
    data = _bundled(path)
    terms = [
        Term(
            text=text,
            category=name,
            severity=category.severity,
            explanation=category.explanation,
            replacement=category.replacements.get(text),
            negatable=category.negatable,
            homophones=category.homophones,
        )
        for name, category in data.categories.items()
        for text in category.terms
    ]
    files = [path]
    if knowledge_dir is not None:
        terms += _shop_terms(knowledge_dir / SHOP_LEXICON)
        files.append(knowledge_dir / SHOP_LEXICON)
    return Lexicon(
        terms=tuple(terms),
        allow=tuple(data.allow),
        negations=tuple(data.negations),
        homophones={char: tuple(alts) for char, alts in data.homophones.items()},
        files=tuple(files),
    )
