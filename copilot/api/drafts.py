"""Draft replies for a customer's message, as one JSON answer or as server-sent events."""

import json
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from copilot.api.deps import AccessDep, MetricsDep
from copilot.api.schemas import ErrorResponse
from copilot.schemas import DraftRequest, DraftResponse

router = APIRouter(prefix="/v1/drafts", tags=["drafts"])

_ERRORS = {
    403: {"model": ErrorResponse, "description": "The API key may not use this shop."},
    404: {"model": ErrorResponse, "description": "Unknown shop."},
    503: {"model": ErrorResponse, "description": "The knowledge index is not ready."},
}


@router.post("", response_model=DraftResponse, responses=_ERRORS)
def create_drafts(request: DraftRequest, access: AccessDep, metrics: MetricsDep) -> DraftResponse:
    """Understand the customer's message and draft 1-3 grounded, compliance-checked replies.

    Returns intent, stage, emotion, urgency, escalation (with the reason for the agent), risk
    flags, whether the knowledge answers the question (`knowledge_gap`), and the drafts with
    their strategy, the knowledge chunks they cite and what the compliance guard did.
    `mode` says who drafted: `offline`, `llm`, or `fallback` (the LLM failed, offline drafts).

    `shop` names the shop (required when the server serves several).
    Example: `{"message": "收到的衣服破了个洞，太失望了"}`.
    """
    response = access.copilot(request.shop).draft(request)
    metrics.observe_draft(response)
    return response


def _sse(events: Iterator[tuple[str, dict]]) -> Iterator[str]:
    for name, data in events:
        yield f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post(
    "/stream",
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "Server-sent events."},
        **_ERRORS,
    },
)
def stream_drafts(
    request: DraftRequest, access: AccessDep, metrics: MetricsDep
) -> StreamingResponse:
    """The same drafts as server-sent events, for showing text as it is written.

    Events in order: `analysis` (intent, stage, emotion, urgency, escalate, flags, request_id,
    knowledge_gap); `delta` (`{index, text}`: the next compliance-checked sentences of draft
    `index`); `fallback` (only if the LLM failed midway: discard the partial text, offline
    drafts follow); `draft` (`{index, text, strategy, citations, compliance}`: final text); `done`
    (`{request_id, mode, latency_ms}`).
    """
    events = access.copilot(request.shop).draft_events(request)
    first = next(events)  # errors (unknown shop, index missing) surface as HTTP errors, not SSE
    return StreamingResponse(
        _sse(_observed(_chain(first, events), metrics)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _chain(first: tuple[str, dict], rest: Iterator[tuple[str, dict]]):
    yield first
    yield from rest


def _observed(events: Iterator[tuple[str, dict]], metrics: MetricsDep):
    for name, data in events:
        metrics.observe_stream(name, data)
        yield name, data
