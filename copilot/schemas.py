"""Draft request and response models: the contract other tools code against (add, don't rename)."""

import unicodedata
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from copilot.knowledge.taxonomy import Intent, Stage

Emotion = Literal["calm", "anxious", "angry"]
Urgency = Literal["low", "medium", "high"]
Flag = Literal["phishing_link", "prompt_injection", "pii", "off_platform_contact"]
Mode = Literal["offline", "llm", "fallback"]
OrderStatus = Literal["unpaid", "paid", "shipped", "delivered", "refunding", "closed"]

MAX_MESSAGE_CHARS = 2000
MAX_HISTORY_TURNS = 50


def unsafe_text_problem(value: str) -> str | None:
    """Why a text cannot be accepted, or None.

    Lone surrogates, control characters, or nothing visible (zero-width spaces only).
    """
    if any("\ud800" <= char <= "\udfff" for char in value):
        return "contains a lone surrogate (not valid Unicode text)"
    if any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in value):
        return "contains control characters"
    if value and all(
        char.isspace() or unicodedata.category(char) in ("Cf", "Zs", "Zl", "Zp") for char in value
    ):
        return "has no visible characters"
    return None


class _Input(BaseModel):
    """Every request model: unknown fields, unsafe text and non-finite numbers are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _safe_text(cls, value):
        if isinstance(value, str) and (problem := unsafe_text_problem(value)):
            raise ValueError(problem)
        return value


class Turn(_Input):
    """One earlier message of the conversation."""

    role: Literal["customer", "agent"]
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class OrderContext(_Input):
    """The order the conversation is about, as the agent's tool knows it."""

    status: OrderStatus | None = None
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    tracking_no: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{3,63}$",
        description="Letters, digits and dashes, as couriers print them.",
    )
    courier: str | None = Field(default=None, max_length=32)


class CustomerContext(_Input):
    """Who is asking; a VIP who is unhappy goes to a senior colleague."""

    tier: Literal["normal", "vip"] = "normal"
    name: str | None = Field(default=None, max_length=32)


class DraftRequest(_Input):
    """A customer's latest message and what the agent's tool knows around it."""

    message: str = Field(
        min_length=1, max_length=MAX_MESSAGE_CHARS, description="The customer's latest message."
    )
    history: list[Turn] = Field(
        default_factory=list,
        max_length=MAX_HISTORY_TURNS,
        description="Earlier turns, oldest first.",
    )
    sku: str | None = Field(default=None, max_length=64, description="Product in focus.")
    order: OrderContext | None = None
    customer: CustomerContext | None = None
    shop: str | None = Field(
        default=None, max_length=64, description="Which shop's knowledge and lexicon to use."
    )
    n: int = Field(default=2, ge=1, le=3, description="How many drafts to return (1-3).")

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("message must not be blank")
        return value


class Escalation(BaseModel):
    """Whether a senior colleague must take over, and why (shown to the agent)."""

    needed: bool
    reason: str | None = None


class Citation(BaseModel):
    """A knowledge chunk a draft used."""

    id: str
    type: str
    source: str
    snippet: str


class ComplianceHit(BaseModel):
    """A lexicon term found in a text, with its span in that text."""

    term: str
    matched: str
    category: str
    severity: Literal["block", "warn"]
    start: int
    end: int
    explanation: str = ""
    replacement: str | None = None


class DraftCompliance(BaseModel):
    """What the compliance guard found and did to a draft before it left the service."""

    passed: bool = Field(
        description="True when the draft needed no change; false when block terms were removed "
        "(the text returned never contains one)."
    )
    hits: list[ComplianceHit] = Field(
        default_factory=list, description="Terms in the returned text (warnings), spans in it."
    )
    removed: list[ComplianceHit] = Field(
        default_factory=list,
        description="Block terms found in the generated draft and cleaned away (spans in the "
        "generated text).",
    )


class Draft(BaseModel):
    """One suggested reply."""

    text: str
    strategy: str
    citations: list[Citation] = Field(default_factory=list)
    compliance: DraftCompliance = Field(default_factory=lambda: DraftCompliance(passed=True))


class Analysis(BaseModel):
    """What the customer wants and how they feel."""

    intent: Intent
    confidence: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="How sure the model is of the intent (0-1); below the confidence floor the "
        "first draft asks a short clarifying question.",
    )
    stage: Stage
    emotion: Emotion
    urgency: Urgency
    escalate: Escalation
    flags: list[Flag] = Field(default_factory=list)


LLMErrorKind = Literal["timeout", "unavailable", "invalid_output", "error"]


class DraftResponse(Analysis):
    """Analysis plus grounded, compliance-checked drafts."""

    request_id: str
    knowledge_gap: bool
    drafts: list[Draft]
    mode: Mode
    latency_ms: float
    llm_error: LLMErrorKind | None = Field(
        default=None, description="With mode 'fallback': why the LLM's drafts were not used."
    )


MAX_CHECK_CHARS = 20_000


class CheckRequest(_Input):
    """Any text to check: an agent's own reply, a script, a product description."""

    text: str = Field(min_length=1, max_length=MAX_CHECK_CHARS)
    shop: str | None = Field(default=None, max_length=64)


class CheckResponse(BaseModel):
    """Hits with their spans in the text, and the text with block terms cleaned away."""

    passed: bool = Field(description="No block-severity term in the text.")
    hits: list[ComplianceHit]
    cleaned: str = Field(description="Block terms replaced, or their clause dropped.")


class LexiconSummary(BaseModel):
    """What the guard enforces after a reload."""

    terms: int
    patterns: int = 0
    categories: dict[str, int]
    files: list[str]


class FeedbackRequest(_Input):
    """What an agent did with one draft of a response."""

    request_id: str = Field(min_length=1, max_length=64)
    draft_index: int = Field(ge=0, le=2, description="Which draft (0 = the first).")
    action: Literal["accepted", "edited", "rejected"]
    final_text: str | None = Field(
        default=None, max_length=MAX_MESSAGE_CHARS, description="The text sent, when edited."
    )
    reason: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _edited_needs_text(self):
        if self.action == "edited" and not (self.final_text and self.final_text.strip()):
            raise ValueError("final_text is required when action is 'edited'")
        return self


class FeedbackResponse(BaseModel):
    """Whether the feedback was new, and the compliance check of an edited text."""

    stored: bool = Field(description="False when the same feedback was already recorded.")
    compliance: CheckResponse | None = None
