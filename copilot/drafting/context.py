"""What a drafter gets: the request, its analysis and the knowledge retrieved for it."""

from dataclasses import dataclass, field

from copilot.knowledge.models import Chunk
from copilot.schemas import Citation, DraftRequest
from copilot.understand.analyzer import Understanding

SNIPPET_CHARS = 120


@dataclass(frozen=True)
class Fact:
    """A sentence a draft may state, and the chunk it comes from."""

    chunk: Chunk
    sentence: str
    relevance: float
    also: tuple[Chunk, ...] = ()  # further sources the sentence names (products listed with it)


@dataclass(frozen=True)
class Candidate:
    """A product a question fits, and what its own knowledge answers (source: the chunk)."""

    product: Chunk
    answer: str | None = None
    source: Chunk | None = None


@dataclass
class DraftContext:
    """Everything one request's drafts may use; nothing else may be stated or promised."""

    request: DraftRequest
    understanding: Understanding
    facts: list[Fact] = field(default_factory=list)
    scripts: list[Chunk] = field(default_factory=list)
    script_scores: dict[str, float] = field(default_factory=dict)  # relevance to the question
    gap_scripts: list[Chunk] = field(default_factory=list)
    safety_scripts: list[Chunk] = field(default_factory=list)
    knowledge_gap: bool = False
    # playbook moves written for the situation the message describes (a bargain, a parcel shown
    # as signed but not received): what to say when the shop's own knowledge has no answer
    situation_moves: list[Chunk] = field(default_factory=list)
    bait: list[str] = field(default_factory=list)  # lexicon categories the customer's message uses
    product: Chunk | None = None
    # the products the message fits equally well when it names none (两款耳机)
    candidates: list[Candidate] = field(default_factory=list)
    clarify: bool = False  # the intent is uncertain: the first draft asks a clarifying question
    # the customer asks after (or to hurry) their own order, which no rule answers: the move
    # that looks it up comes first (发货了吗, 帮我催一下)
    look_up_first: bool = False
    # the customer asks for goods the catalog lists (想买个吹风机, 有没有红茶): the first fact
    # names them, and answers even a message read as a greeting
    listing: bool = False
    # ... or for goods the catalog does not list (你们卖口红吗): the reply for goods not sold
    # answers, whatever the intent was read as, and the shop sees a gap
    unlisted: bool = False

    @property
    def intent(self) -> str:
        """The classified intent."""
        return self.understanding.analysis.intent

    @property
    def asks_for_goods(self) -> bool:
        """Whether the message asks whether the shop sells something (listed or not)."""
        return self.listing or self.unlisted

    @property
    def facts_answer(self) -> bool:
        """Whether the facts answer the message (a greeting's facts are only what it mentions)."""
        return bool(self.facts) and (self.intent != "greeting" or self.listing)

    @property
    def stage(self) -> str:
        """The inferred stage."""
        return self.understanding.analysis.stage

    @property
    def customer_said(self) -> str:
        """Everything the customer wrote in this conversation (their own word for a status)."""
        return " ".join([*self.understanding.earlier_customer_turns, self.request.message])

    def fact_chunks(self) -> list[Chunk]:
        """The sources of the facts, each listed product of a listing among them."""
        return [chunk for fact in self.facts for chunk in (fact.chunk, *fact.also)]

    def given_chunks(self) -> dict[str, Chunk]:
        """Every chunk given to the drafter, by id: the only ones a draft may cite."""
        chunks = self.fact_chunks() + self.scripts + self.gap_scripts
        chunks += self.safety_scripts + ([self.product] if self.product else [])
        chunks += [c.product for c in self.candidates]
        chunks += [c.source for c in self.candidates if c.source is not None]
        return {chunk.id: chunk for chunk in chunks}


def cite(chunk: Chunk, used: str | None = None) -> Citation:
    """A citation of a chunk, with the part of it a draft used as the snippet."""
    snippet = (used or chunk.text).strip()
    if len(snippet) > SNIPPET_CHARS:
        snippet = snippet[: SNIPPET_CHARS - 1] + "…"
    return Citation(id=chunk.id, type=chunk.type, source=chunk.source, snippet=snippet)
