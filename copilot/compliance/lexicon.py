"""The lexicon: the copilot's own categories plus the shop's additions, with an allow-list."""

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from copilot.datafiles import package_yaml
from copilot.errors import KnowledgeError
from copilot.knowledge.models import BannedWords


@dataclass(frozen=True)
class Term:
    """One banned term and what to tell the agent about it."""

    text: str
    category: str
    severity: str
    explanation: str
    replacement: str | None
    negatable: bool = False


@dataclass(frozen=True)
class Lexicon:
    """Terms to find and phrases that are never hits."""

    terms: tuple[Term, ...]
    allow: tuple[str, ...]
    negations: tuple[str, ...] = ()


def _bundled_terms() -> list[Term]:
    data = package_yaml("copilot.compliance", "lexicon.yaml")
    terms = []
    for name, category in data["categories"].items():
        replacements = category.get("replacements", {})
        for term in category["terms"]:
            text = str(term)
            terms.append(
                Term(
                    text,
                    name,
                    category["severity"],
                    category["explanation"],
                    replacements.get(text),
                    bool(category.get("negatable", False)),
                )
            )
    return terms


def _shop_terms(path: Path) -> list[Term]:
    """knowledge/compliance/banned_words.yaml; a broken file is an error, a missing one is fine."""
    if not path.exists():
        return []
    try:
        shop = BannedWords.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise KnowledgeError([f"{path}: {exc}"]) from exc
    return [
        Term(
            str(word),
            name,
            category.severity,
            "本店规定不得使用的词。",
            category.replacements.get(word),
        )
        for name, category in shop.categories.items()
        for word in category.words
    ]


def load_lexicon(knowledge_dir: Path | None = None) -> Lexicon:
    """The bundled lexicon plus the shop's own banned words from its knowledge directory."""
    terms = _bundled_terms()
    if knowledge_dir is not None:
        terms += _shop_terms(knowledge_dir / "compliance" / "banned_words.yaml")
    data = package_yaml("copilot.compliance", "lexicon.yaml")
    return Lexicon(
        terms=tuple(terms),
        allow=tuple(str(word) for word in data.get("allow", [])),
        negations=tuple(str(word) for word in data.get("negations", [])),
    )
