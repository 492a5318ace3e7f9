"""Agents' feedback on drafts, and the analytics built from it."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from copilot.api.deps import AccessDep
from copilot.api.schemas import ErrorResponse, ShopQuery
from copilot.api.security import CallerDep
from copilot.feedback.analytics import Analytics
from copilot.onboarding.coverage import Coverage
from copilot.schemas import FeedbackRequest, FeedbackResponse

router = APIRouter(prefix="/v1", tags=["feedback"])
SinceQuery = Annotated[datetime | None, Query(description="Start (ISO date or time).")]
UntilQuery = Annotated[datetime | None, Query(description="End, exclusive (ISO date or time).")]


@router.post(
    "/feedback",
    response_model=FeedbackResponse,
    responses={
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
    },
)
def give_feedback(
    feedback: FeedbackRequest, access: AccessDep, caller: CallerDep
) -> FeedbackResponse:
    """Record whether the agent accepted, edited or rejected a draft.

    `request_id` is the draft response's id (404 when unknown). Feedback is append-only and
    kept per API key: another key's feedback on the same draft is a record of its own, and
    analytics counts each key's latest; sending the same feedback twice stores it once
    (`stored: false`). Text and reason are stored with personal data masked. An edited
    `final_text` is checked with the compliance guard and the result returned, so the console
    can highlight banned terms before sending.
    """
    shop = access.hub.shop_of_request(feedback.request_id)
    return access.copilot(shop).give_feedback(feedback, agent=caller)


def _epoch(value: datetime | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        return value.timestamp()
    except (OverflowError, OSError, ValueError) as exc:
        raise HTTPException(status_code=422, detail=f"'{name}' is out of range: {exc}") from exc


@router.get("/analytics", response_model=Analytics)
def analytics(
    access: AccessDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
    shop: Annotated[
        list[str] | None,
        Query(
            max_length=1000,
            description="Only these shops (repeatable); default every shop the key may use.",
        ),
    ] = None,
) -> Analytics:
    """What agents' feedback says about the copilot, for a time window.

    Top intents with acceptance, edit and rejection rates (an intent above 30% intervention is
    flagged as needing knowledge work), the questions behind knowledge gaps grouped by meaning,
    compliance hits by category, escalation rate and latency. With several shops served, the
    traffic of the named shops, or of every shop the API key may use.
    """
    window = _epoch(since, "since"), _epoch(until, "until")
    hub = access.hub
    if not hub.many:
        for name in shop or []:
            hub.resolve(name, access.allowed)  # 404 for another shop's name, as elsewhere
        return hub.analytics(None, *window)
    shops = [hub.resolve(name, access.allowed) for name in shop] if shop else access.shops()
    return hub.analytics(shops, *window)


@router.get("/coverage", response_model=Coverage)
def coverage(
    access: AccessDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
    shop: Annotated[str | None, ShopQuery] = None,
) -> Coverage:
    """What the shop's knowledge answers and what is left to write.

    For every intent in every stage and every everyday situation: answered by the shop's own
    scripts, the built-in playbook or nothing; knowledge gaps and low-confidence readings from
    served traffic grouped by meaning; intents above 30% intervention; what to write next.
    """
    return access.copilot(shop).coverage(_epoch(since, "since"), _epoch(until, "until"))
