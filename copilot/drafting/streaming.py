"""Server-sent drafts: the analysis first, then text as it is produced, then the final drafts.

Nothing is sent before the compliance guard has seen it: text is buffered to sentence ends and
each sentence is cleaned on its own; the final `draft` events carry the authoritative text.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

from copilot.compliance.guard import sentences
from copilot.drafting.context import DraftContext
from copilot.drafting.guarding import guard_draft, order_checked
from copilot.errors import LLMError, llm_error_kind
from copilot.personal_data import mask as mask_pii
from copilot.schemas import Draft, DraftRequest, DraftResponse

if TYPE_CHECKING:
    from copilot.service import Copilot

Event = tuple[str, dict]


class _SentenceBuffer:
    """Per-draft text received so far; hands out complete, cleaned sentences."""

    def __init__(self, copilot: Copilot, context: DraftContext):
        self.copilot = copilot
        self.context = context
        self.sent: dict[int, int] = {}

    def feed(self, index: int, text: str, final: bool = False) -> str:
        start = self.sent.get(index, 0)
        pending = text[start:]
        pieces = sentences(pending)
        if (
            not final
            and pieces
            and not pieces[-1].rstrip().endswith(("。", "！", "？", "!", "?", "；", ";", "～"))
        ):
            pieces = pieces[:-1]
        done = "".join(pieces)
        self.sent[index] = start + len(done)
        checked = (order_checked(p, self.context) for p in pieces if p.strip())
        return "".join(self.copilot.guard.clean(mask_pii(p)) for p in checked)


def _deltas_of(drafts: list[Draft], offset: int = 0) -> Iterator[Event]:
    for index, draft in enumerate(drafts, offset):
        for sentence in sentences(draft.text):
            yield "delta", {"index": index, "text": sentence}


def _stream_llm(
    copilot: Copilot, context: DraftContext, n: int, offset: int = 0
) -> Iterator[Event | list[Draft]]:
    """Deltas while the model writes, then the validated drafts (LLMError when unusable).

    offset: drafts already sent before these (a clarifying question), so indexes follow them.
    """
    buffer = _SentenceBuffer(copilot, context)
    partial: list[dict] = []
    deadline = time.monotonic() + copilot.settings.llm_timeout
    for partial in copilot.llm.stream(context, n):  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            from copilot.errors import LLMTimeoutError

            raise LLMTimeoutError(f"the LLM stream ran past {copilot.settings.llm_timeout} s")
        for index, item in enumerate(partial[:n]):
            text = item.get("text") if isinstance(item, dict) else None
            if isinstance(text, str):
                chunk = buffer.feed(index, text)
                if chunk:
                    yield "delta", {"index": index + offset, "text": chunk}
    drafts = copilot.llm.finish(partial, context, n)  # type: ignore[union-attr]
    for index, draft in enumerate(drafts):
        rest = buffer.feed(index, draft.text, final=True)
        if rest:
            yield "delta", {"index": index + offset, "text": rest}
    yield drafts


def stream_drafts(
    copilot: Copilot, context: DraftContext, request: DraftRequest, started: float
) -> Iterator[Event]:
    """The whole event sequence for one request."""
    analysis = context.understanding.analysis.model_dump()
    request_id = uuid.uuid4().hex
    yield "analysis", {**analysis, "request_id": request_id, "knowledge_gap": context.knowledge_gap}
    drafts: list[Draft] | None = None
    mode = "offline"
    clarifying = []
    if context.clarify:  # uncertain intent: the question goes first, before any generation
        clarifying = [guard_draft(copilot.offline.clarifying(context), context, copilot.guard)]
        yield from _deltas_of(clarifying)
    wanted = request.n - len(clarifying)
    if wanted and copilot.llm is not None and hasattr(copilot.llm, "stream"):
        try:
            for item in _stream_llm(copilot, context, wanted, len(clarifying)):
                if isinstance(item, list):
                    drafts, mode = item, "llm"
                else:
                    yield item
        except LLMError as exc:
            yield (
                "fallback",
                {
                    "reason": str(exc),
                    "llm_error": llm_error_kind(exc),
                    "discard_partial_text": True,
                },
            )
            mode = "fallback"
    if drafts is None:
        drafts = copilot.offline.generate(context, wanted) if wanted else []
        drafts = [guard_draft(d, context, copilot.guard) for d in drafts]
        yield from _deltas_of(drafts, len(clarifying))
    else:
        drafts = [guard_draft(d, context, copilot.guard) for d in drafts]
    drafts = clarifying + drafts
    for index, draft in enumerate(drafts):
        yield "draft", {"index": index, **draft.model_dump()}
    latency = round((time.perf_counter() - started) * 1000, 2)
    copilot.remember(
        request,
        DraftResponse(
            **analysis,
            request_id=request_id,
            knowledge_gap=context.knowledge_gap,
            drafts=drafts,
            mode=mode,
            latency_ms=latency,
        ),
    )
    yield "done", {"request_id": request_id, "mode": mode, "latency_ms": latency}
