"""Pydantic models of the knowledge format: the contract other shops write their knowledge in."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from copilot.knowledge.taxonomy import ChunkType, Intent, Stage

AttributeValue = str | int | float | list[str]


class _Strict(BaseModel):
    # prices and attribute numbers are quoted in drafts: .inf and .nan are not numbers to quote
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class FaqEntry(_Strict):
    """One question a customer asks about a product, with the shop's answer."""

    q: str = Field(min_length=1)
    a: str = Field(min_length=1)


class Product(_Strict):
    """A product of the shop, as written in products/*.yaml."""

    sku: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(min_length=1)
    category: str = ""
    price: float | None = Field(default=None, ge=0)
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    description: str = ""
    faq: list[FaqEntry] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)

    @field_validator("sku", mode="before")
    @classmethod
    def _sku_as_text(cls, value):
        return str(value) if isinstance(value, int) else value


class Script(_Strict):
    """A standard reply (话术) for an intent in a stage."""

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    intent: Intent
    stage: Stage
    text: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)


class RuleSection(_Strict):
    """One `## section` of a rules document: a single rule entry."""

    title: str
    body: str
    position: int


class RuleDocument(_Strict):
    """A rules/*.md file: its `# title` and its sections."""

    title: str
    sections: list[RuleSection]


class BannedCategory(_Strict):
    """A shop's own banned-word category."""

    severity: str = Field(pattern="^(block|warn)$")
    words: list[str] = Field(min_length=1)
    replacements: dict[str, str] = Field(default_factory=dict)


class PatternSpec(_Strict):
    """A hit made of two parts near each other (好评 … 返5元), in either order unless `ordered`.

    In a part, `#` stands for a number (`#元` is 5元, 十元).
    """

    category: str = Field(min_length=1)
    why: str = Field(min_length=1)
    near: list[list[str]] = Field(min_length=2, max_length=2)
    within: int = Field(default=12, ge=0, le=40)
    scope: Literal["clause", "sentence"] = "sentence"
    ordered: bool = False
    unless: list[str] = Field(default_factory=list)

    @field_validator("near", "unless", mode="before")
    @classmethod
    def _as_text(cls, value):
        """YAML reads 5 as a number; every word is text."""
        if not isinstance(value, list):
            return value
        return [[str(w) for w in v] if isinstance(v, list) else str(v) for v in value]

    @field_validator("near")
    @classmethod
    def _parts_have_words(cls, near: list[list[str]]) -> list[list[str]]:
        if any(not [w for w in part if w.strip()] for part in near):
            raise ValueError("each part needs at least one word")
        return near


class BannedWords(_Strict):
    """compliance/banned_words.yaml: the shop's additions to the lexicon."""

    categories: dict[str, BannedCategory] = Field(default_factory=dict)
    patterns: dict[str, PatternSpec] = Field(default_factory=dict)


class Chunk(BaseModel):
    """The unit that is embedded, indexed and cited."""

    id: str
    type: ChunkType | Literal["playbook"]  # playbook moves are cited, never indexed
    text: str
    source: str
    title: str = ""
    sku: str = ""
    intent: str = ""
    stage: str = ""

    def metadata(self) -> dict[str, str]:
        """Chroma metadata (no None values allowed there)."""
        return {
            "type": self.type,
            "source": self.source,
            "title": self.title,
            "sku": self.sku,
            "intent": self.intent,
            "stage": self.stage,
        }
