"""The lexicon: the copilot's own categories plus the shop's additions, with an allow-list.

Both files are validated; a broken one is a KnowledgeError naming the file and the field.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from copilot.errors import KnowledgeError
from copilot.knowledge.models import BannedWords, PatternSpec

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
    pinyin: bool = False
    context_terms: list[str] = Field(default_factory=list)

    _as_text = field_validator("terms", "context_terms", mode="before")(_texts)


class FollowerRule(BaseModel):
    """A term followed by one of these words is something else: 第一个 counts, 最好先 advises."""

    model_config = ConfigDict(extra="forbid")

    terms: list[str] = Field(min_length=1)
    followers: list[str] = Field(min_length=1)
    means: str = ""

    _as_text = field_validator("terms", "followers", mode="before")(_texts)


class LexiconFile(BaseModel):
    """data/lexicon.yaml as a whole."""

    model_config = ConfigDict(extra="forbid")

    categories: dict[str, LexiconCategory]
    patterns: dict[str, PatternSpec] = Field(default_factory=dict)
    negations: list[str] = Field(default_factory=list)
    negation_bridges: list[str] = Field(default_factory=list)
    clause_openers: list[str] = Field(default_factory=list)
    particles: str = ""
    contact_verbs: list[str] = Field(default_factory=list)
    not_claims: list[FollowerRule] = Field(default_factory=list)
    post_negations: list[str] = Field(default_factory=list)
    homophones: dict[str, list[str]] = Field(default_factory=dict)
    allow: list[str] = Field(default_factory=list)

    _as_text = field_validator(
        "negations",
        "negation_bridges",
        "post_negations",
        "clause_openers",
        "contact_verbs",
        "allow",
        mode="before",
    )(_texts)


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
    pinyin: bool = False  # also found by sound: 加我wei信, 治liao
    needs_context: bool = False  # a contact verb, an ID or a number must be near (企鹅, 飞机)


@dataclass(frozen=True)
class Pattern:
    """Two parts near each other: the whole span is one hit, told apart by why."""

    name: str
    category: str
    severity: str
    explanation: str
    near: tuple[tuple[str, ...], tuple[str, ...]]
    within: int
    scope: str
    ordered: bool
    unless: tuple[str, ...]
    negatable: bool


@dataclass(frozen=True)
class Grammar:
    """What tells a claim from a warning or an ordinal, and where a clause ends."""

    negations: tuple[str, ...] = ()
    negation_bridges: tuple[str, ...] = ()
    clause_openers: tuple[str, ...] = ()
    particles: str = ""
    contact_verbs: tuple[str, ...] = ()
    post_negations: tuple[str, ...] = ()
    # term -> the words that, right after it, make it not a claim
    not_claims: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Lexicon:
    """Terms and patterns to find, phrases that are never hits, and the files they came from."""

    terms: tuple[Term, ...]
    allow: tuple[str, ...]
    homophones: dict[str, tuple[str, ...]] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    grammar: Grammar = field(default_factory=Grammar)

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
    """The lexicon file, parsed once per version of it (every shop of a deployment reads it)."""
    try:
        stamp = path.stat().st_mtime_ns, path.stat().st_size
    except OSError as exc:
        raise KnowledgeError([f"{path}: cannot be read as YAML ({exc})"]) from exc
    return _parsed_lexicon(path, stamp)


@lru_cache(maxsize=8)
def _parsed_lexicon(path: Path, _stamp: tuple[int, int]) -> LexiconFile:
    try:
        return LexiconFile.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise _problems(path, exc) from exc


def _read_shop(path: Path) -> BannedWords | None:
    """The shop's banned words and patterns; a missing file is fine, a broken one an error."""
    if not path.exists():
        return None
    try:
        return BannedWords.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise _problems(path, exc) from exc


def _shop_terms(shop: BannedWords) -> list[Term]:
    return [
        Term(str(word), name, category.severity, SHOP_EXPLANATION, category.replacements.get(word))
        for name, category in shop.categories.items()
        for word in category.words
    ]


def _pattern(name: str, spec: PatternSpec, severity: str, explanation: str, negatable: bool):
    return Pattern(
        name=name,
        category=spec.category,
        severity=severity,
        explanation=f"{spec.why}。{explanation}",
        near=(tuple(spec.near[0]), tuple(spec.near[1])),
        within=spec.within,
        scope=spec.scope,
        ordered=spec.ordered,
        unless=tuple(spec.unless),
        negatable=negatable,
    )


def _patterns(path: Path, data: LexiconFile, shop: BannedWords | None, shop_path: Path | None):
    """The bundled patterns and the shop's; a pattern names a category of either file."""
    severities = {
        name: (c.severity, c.explanation, c.negatable) for name, c in data.categories.items()
    }
    if shop is not None:
        for name, category in shop.categories.items():
            severities.setdefault(name, (category.severity, SHOP_EXPLANATION, False))
    patterns, problems = [], []
    sources = [(path, data.patterns)] + ([(shop_path, shop.patterns)] if shop else [])
    for source, specs in sources:
        for name, spec in specs.items():
            if spec.category not in severities:
                problems.append(
                    f"{source}: field 'patterns.{name}.category': unknown category "
                    f"'{spec.category}' (known: {', '.join(sorted(severities))})"
                )
                continue
            patterns.append(_pattern(name, spec, *severities[spec.category]))
    if problems:
        raise KnowledgeError(problems)
    return patterns


def _not_claims(rules: list[FollowerRule]) -> dict[str, tuple[str, ...]]:
    followers: dict[str, list[str]] = {}
    for rule in rules:
        for term in rule.terms:
            followers.setdefault(term, []).extend(rule.followers)
    return {term: tuple(words) for term, words in followers.items()}


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
            pinyin=category.pinyin,
            needs_context=text in category.context_terms,
        )
        for name, category in data.categories.items()
        for text in [*category.terms, *category.context_terms]
    ]
    files = [path]
    shop = shop_path = None
    if knowledge_dir is not None:
        shop_path = knowledge_dir / SHOP_LEXICON
        shop = _read_shop(shop_path)
        terms += _shop_terms(shop) if shop else []
        files.append(shop_path)
    grammar = Grammar(
        negations=tuple(data.negations),
        negation_bridges=tuple(data.negation_bridges),
        clause_openers=tuple(data.clause_openers),
        particles=data.particles,
        contact_verbs=tuple(data.contact_verbs),
        post_negations=tuple(data.post_negations),
        not_claims=_not_claims(data.not_claims),
    )
    return Lexicon(
        terms=tuple(terms),
        allow=tuple(data.allow),
        homophones={char: tuple(alts) for char, alts in data.homophones.items()},
        files=tuple(files),
        patterns=tuple(_patterns(path, data, shop, shop_path)),
        grammar=grammar,
    )
