"""The copilot's core, callable from Python; the HTTP API and CLI are thin layers over it."""

import logging
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator

from copilot.compliance.guard import CheckResult, ComplianceGuard
from copilot.compliance.lexicon import Lexicon, load_lexicon
from copilot.config import Settings
from copilot.drafting.base import Drafter
from copilot.drafting.context import DraftContext, Fact
from copilot.drafting.grounding import ANSWERING_FACT, Grounder
from copilot.drafting.guarding import guard_draft
from copilot.drafting.offline import REFUSED_BAIT
from copilot.drafting.streaming import stream_drafts
from copilot.errors import CopilotError, LLMError, UnknownShopError, llm_error_kind
from copilot.feedback.analytics import Analytics, compute_analytics, group_questions
from copilot.feedback.store import Feedback, FeedbackStore
from copilot.index.chroma import ChromaStore, ProgressCallback
from copilot.index.embeddings import CopilotEmbeddings
from copilot.index.ingest import IngestReport, ingest
from copilot.index.retriever import (
    DEFAULT_TYPES,
    HybridRetriever,
    Method,
    SearchFilters,
    SearchHit,
)
from copilot.knowledge import load_knowledge
from copilot.onboarding.coverage import Coverage, compute_coverage
from copilot.personal_data import has_personal_data
from copilot.schemas import (
    CheckResponse,
    Draft,
    DraftRequest,
    DraftResponse,
    FeedbackRequest,
    FeedbackResponse,
)
from copilot.understand.analyzer import MessageAnalyzer

log = logging.getLogger(__name__)

LEXICON_RECHECK_SECONDS = 2.0
FEEDBACK_FILE = "feedback.sqlite3"


def _stamp(paths) -> tuple:
    """Modification times of the lexicon files (None for a missing file)."""
    stamps = []
    for path in paths:
        try:
            stamps.append((str(path), path.stat().st_mtime_ns))
        except OSError:
            stamps.append((str(path), None))
    return tuple(stamps)


class Copilot:
    """Understand a message, retrieve knowledge, draft replies and guard them."""

    def __init__(
        self,
        settings: Settings,
        embeddings: CopilotEmbeddings,
        store: ChromaStore,
        retriever: HybridRetriever,
        analyzer: MessageAnalyzer,
        grounder: Grounder,
        offline: Drafter,
        llm: Drafter | None = None,
        feedback: Callable[[], FeedbackStore] | None = None,
    ):
        self.settings = settings
        self.embeddings = embeddings
        self.store = store
        self.retriever = retriever
        self.analyzer = analyzer
        self.grounder = grounder
        self.offline = offline
        self.llm = llm
        self._lexicon = load_lexicon(settings.knowledge_dir)
        self._guard = ComplianceGuard(self._lexicon)
        self._lexicon_stamp = _stamp(self._lexicon.files)
        self._lexicon_checked = time.monotonic()
        self._feedback: FeedbackStore | None = None
        self._open_feedback = feedback or (
            lambda: FeedbackStore(self.settings.data_dir / FEEDBACK_FILE)
        )

    def ingest(self, progress: ProgressCallback | None = None) -> IngestReport:
        """Re-ingest the configured knowledge and make search and the guard use it."""
        report = ingest(self.settings, self.embeddings, self.store, progress)
        self.retriever.refresh()
        self.reload_lexicon()
        report.warnings.extend(self.banned_in_knowledge())
        return report

    def banned_in_knowledge(self) -> list[str]:
        """Knowledge that uses a block term: drafts lose that sentence, so fix it at the source."""
        warnings = []
        for chunk in self.retriever.chunks_of("product") + self.retriever.chunks_of("faq"):
            warnings += self._banned_warnings(chunk)
        for kind in ("rule", "script"):
            for chunk in self.retriever.chunks_of(kind):
                warnings += self._banned_warnings(chunk)
        return warnings

    def _banned_warnings(self, chunk) -> list[str]:
        return [
            f"{chunk.source} ({chunk.id}): '{hit.matched}' is a banned term ({hit.category}); "
            "drafts drop the sentence that uses it"
            for hit in self.guard.hits(chunk.text)
            if hit.severity == "block"
        ]

    @property
    def guard(self) -> ComplianceGuard:
        """The compliance guard, rebuilt when a lexicon file changed (checked every 2 s)."""
        now = time.monotonic()
        if now - self._lexicon_checked >= LEXICON_RECHECK_SECONDS:
            self._lexicon_checked = now
            if _stamp(self._lexicon.files) != self._lexicon_stamp:
                try:
                    self.reload_lexicon()
                except CopilotError as exc:  # keep guarding with the last good lexicon
                    log.warning("lexicon not reloaded, the previous one stays in force: %s", exc)
                    self._lexicon_stamp = _stamp(self._lexicon.files)
        return self._guard

    @property
    def lexicon(self) -> Lexicon:
        """The lexicon the guard enforces."""
        return self._lexicon

    def reload_lexicon(self) -> Lexicon:
        """Re-read the lexicon and the shop's banned words (no restart needed).

        A broken file raises KnowledgeError and the current lexicon stays in force.
        """
        lexicon = load_lexicon(self.settings.knowledge_dir)
        self._guard = ComplianceGuard(lexicon)
        self._lexicon = lexicon
        self._lexicon_stamp = _stamp(lexicon.files)
        return lexicon

    def search(
        self,
        query: str,
        k: int = 5,
        filters: SearchFilters | None = None,
        prefer_sku: str | None = None,
        method: Method = "hybrid",
    ) -> list[SearchHit]:
        """Ranked knowledge chunks for a customer question."""
        return self.retriever.search(query, k, filters, prefer_sku, method)

    def search_knowledge(
        self,
        query: str,
        k: int = 5,
        types: list[str] | None = None,
        sku: str | None = None,
        sku_only: bool = False,
        intent: str | None = None,
        stage: str | None = None,
    ) -> list[SearchHit]:
        """Search as agents ask it: a sku is preferred, or with sku_only the only one returned."""
        filters = SearchFilters(
            types=list(types or DEFAULT_TYPES),
            sku=sku if sku_only else None,
            intent=intent,
            stage=stage,
        )
        return self.search(query, k, filters, prefer_sku=None if sku_only else sku)

    def check(self, text: str, shop: str | None = None) -> CheckResult:
        """Compliance check of any text (an agent's own reply, a draft)."""
        self._check_shop(shop)
        return self.guard.check(text)

    def _check_shop(self, shop: str | None) -> None:
        if shop not in (None, self.settings.shop):
            raise UnknownShopError(
                f"unknown shop {shop!r}: this server serves {self.settings.shop!r} "
                "(set COPILOT_SHOP, or leave 'shop' out)"
            )

    def prepare(self, request: DraftRequest) -> DraftContext:
        """Understanding plus grounding: everything a drafter may use for this request."""
        self._check_shop(request.shop)
        query = self.analyzer.retrieval_query(request)
        texts = self.analyzer.classifier_texts(request)
        if self.analyzer.encoder is self.embeddings:  # one batch: cheaper than two calls
            vectors = self.retriever.encode_queries([query, *texts])
            query_vector, text_vectors = vectors[0], vectors[1:]
        else:
            query_vector = self.retriever.encode_queries([query])[0]
            text_vectors = self.analyzer.encoder.encode(texts)
        understanding = self.analyzer.analyze(request, query, text_vectors, texts)
        context = self.grounder.gather(self._quotable(request), understanding, query_vector)
        context.bait = sorted(
            {
                hit.category
                for hit in self.guard.hits(request.message, agent=False)
                if hit.severity == "block"
            }
            | (REFUSED_BAIT & set(understanding.analysis.flags))  # refused like bait, no gap
        )
        if self.offline.answers_bait(context):  # a compliant answer to the bait is an answer
            context.knowledge_gap = False
        context.clarify = self._unsure(context)
        return context

    def _quotable(self, request: DraftRequest) -> DraftRequest:
        """The request without the quotable fields that hold a banned term or personal data.

        A draft may quote the customer's name, the courier and the tracking number: a name like
        "加我V信xxx" must not reach the agent inside a draft that passed the guard.
        """
        order, customer = request.order, request.customer

        def unsafe(value: str | None) -> bool:
            if not value:
                return False
            return has_personal_data(value) or any(
                hit.severity == "block" for hit in self.guard.hits(value)
            )

        update = {}
        if customer is not None and unsafe(customer.name):
            update["customer"] = customer.model_copy(update={"name": None})
        if order is not None and (unsafe(order.courier) or unsafe(order.tracking_no)):
            update["order"] = order.model_copy(update={"courier": None, "tracking_no": None})
        return request.model_copy(update=update) if update else request

    def _unsure(self, context: DraftContext) -> bool:
        """The intent is too uncertain to answer: the first draft asks instead of guessing.

        Not when the knowledge answers the question itself (a fact this relevant): 不满59块运费多少
        is unsure between product and promotion questions, but the shipping-fee rule says it.
        """
        analysis = context.understanding.analysis
        answered = bool(context.facts) and (
            context.facts[0].relevance >= ANSWERING_FACT
            or self._agrees(context.facts[0], analysis.intent)
        )
        return (
            analysis.confidence < self.settings.intent_confidence_floor
            and not answered
            and not context.asks_for_goods  # 你们卖口红吗 is clear whatever intent it reads as
            and not self.offline.answers_bait(context)
        )

    def _agrees(self, fact: Fact, intent: str) -> bool:
        """Whether the rule section a fact comes from is about the intent read as most likely.

        寄到台湾可以吗 is read as shipping at 0.4 only, but the rule that answers it (港澳台暂不
        发货) is a shipping section: two readings that agree are no reason to ask back.
        """
        topic = self.grounder.section_topics().get(fact.chunk.id)
        return topic is not None and topic[0] == intent

    def draft(self, request: DraftRequest, record: bool = True) -> DraftResponse:
        """Analysis and compliance-checked, grounded drafts for a customer's message.

        record: remember the response so agents' feedback can be linked to it (off for evals).
        """
        started = time.perf_counter()
        context = self.prepare(request)
        drafts, mode, llm_error = self._generate(context, request.n)
        drafts = [guard_draft(d, context, self.guard) for d in drafts]
        response = self._response(context, drafts, mode, started, llm_error)
        if record:
            self.remember(request, response)
        return response

    @property
    def feedback(self) -> FeedbackStore:
        """The feedback database under the data dir, opened (and migrated) on first use."""
        if self._feedback is None:
            self._feedback = self._open_feedback()
        return self._feedback

    def remember(self, request: DraftRequest, response: DraftResponse) -> None:
        """Keep a served response for feedback and analytics (never fails a draft)."""
        try:
            self.feedback.record_draft(request.message, response, self.shop)
        except (OSError, sqlite3.Error) as exc:
            log.warning("could not record draft %s: %s", response.request_id, exc)

    def give_feedback(self, feedback: FeedbackRequest, agent: str = "local") -> FeedbackResponse:
        """Record what an agent did with a draft; an edited text is checked for compliance.

        agent: who says so (the API key's hash); each agent's word is kept, none overwritten.
        """
        stored = self.feedback.record_feedback(
            Feedback(
                feedback.request_id,
                feedback.draft_index,
                feedback.action,
                feedback.final_text,
                feedback.reason,
                agent,
            )
        )
        checked = None
        if feedback.final_text:
            result = self.guard.check(feedback.final_text)
            checked = CheckResponse(passed=result.passed, hits=result.hits, cleaned=result.cleaned)
        return FeedbackResponse(stored=stored, compliance=checked)

    @property
    def shop(self) -> str:
        """The id of the shop this copilot serves."""
        return self.settings.shop

    @property
    def _own_rows(self) -> list[str] | None:
        """The feedback rows of this shop: all of them unless the deployment serves many."""
        return [self.shop] if self.settings.shops_dir is not None else None

    def analytics(self, since: float | None = None, until: float | None = None) -> Analytics:
        """What the feedback says about this shop, for a time window (epoch seconds)."""
        totals = self.feedback.totals(since, until, self._own_rows)
        return compute_analytics(totals, self.embeddings)

    def coverage(self, since: float | None = None, until: float | None = None) -> Coverage:
        """What the shop's knowledge answers, what the playbook covers, what to write next."""
        totals = self.feedback.totals(since, until, self._own_rows)
        analytics = compute_analytics(totals, self.embeddings)
        floor = self.settings.intent_confidence_floor
        unsure = self.feedback.questions(since, until, below_confidence=floor, shops=self._own_rows)
        return compute_coverage(
            load_knowledge(self.settings.knowledge_dir),
            self.grounder.playbook,
            totals.intents,
            analytics.knowledge_gaps,
            group_questions(unsure, self.embeddings),
            analytics.top_intents,
        )

    def draft_events(self, request: DraftRequest) -> Iterator[tuple[str, dict]]:
        """The same as draft(), as (event, data) pairs: analysis, text deltas, drafts, done."""
        started = time.perf_counter()
        context = self.prepare(request)
        yield from stream_drafts(self, context, request, started)

    def _generate(self, context: DraftContext, n: int) -> tuple[list[Draft], str, str | None]:
        """N drafts; a clarifying question first when the intent is uncertain."""
        clarifying = [self.offline.clarifying(context)] if context.clarify else []
        wanted = n - len(clarifying)
        if wanted == 0:
            return clarifying, "offline", None
        if self.llm is None:
            return clarifying + self.offline.generate(context, wanted), "offline", None
        try:
            return clarifying + self.llm.generate(context, wanted), "llm", None
        except LLMError as exc:
            log.warning("LLM drafting failed, using offline drafts: %s", exc)
            drafts = clarifying + self.offline.generate(context, wanted)
            return drafts, "fallback", llm_error_kind(exc)

    def _response(
        self,
        context: DraftContext,
        drafts: list[Draft],
        mode: str,
        started: float,
        llm_error: str | None = None,
    ) -> DraftResponse:
        return DraftResponse(
            **context.understanding.analysis.model_dump(),
            request_id=uuid.uuid4().hex,
            knowledge_gap=context.knowledge_gap,
            drafts=drafts,
            mode=mode,
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
            llm_error=llm_error,
        )

    def readiness(self) -> dict[str, str | None]:
        """Each dependency's problem, or None when it is fine (index, Chroma, lexicon)."""
        checks: dict[str, str | None] = {}
        try:
            self.store.fingerprint()
            checks["chroma"] = None
        except CopilotError as exc:
            checks["chroma"] = str(exc)
        try:
            checks["index"] = None if self.retriever.size else "the knowledge index is empty"
        except CopilotError as exc:
            checks["index"] = str(exc)
        checks["lexicon"] = None if self.lexicon.terms else "the lexicon has no terms"
        return checks

    def warm_up(self) -> None:
        """Load the index and models now, so the first request is as fast as the rest."""
        self.retriever.refresh()
        self.embeddings.encode(["你好"])
        self.analyzer.warm_up()
        self.grounder.section_topics()
