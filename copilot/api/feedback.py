"""Agents' feedback on drafts, and the analytics built from it."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from copilot.api.deps import CopilotDep
from copilot.api.schemas import ErrorResponse
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
    responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
def give_feedback(
    feedback: FeedbackRequest, copilot: CopilotDep, caller: CallerDep
) -> FeedbackResponse:
    """Record whether the agent accepted, edited or rejected a draft.

    `request_id` is the draft response's id (404 when unknown). Feedback is append-only and
    kept per API key: another key's feedback on the same draft is a record of its own, and
    analytics counts each key's latest; sending the same feedback twice stores it once
    (`stored: false`). Text and reason are stored with personal data masked. An edited
    `final_text` is checked with the compliance guard and the result returned, so the console
    can highlight banned terms before sending.
    """
    return copilot.give_feedback(feedback, agent=caller)


def _epoch(value: datetime | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        return value.timestamp()
    except (OverflowError, OSError, ValueError) as exc:
        raise HTTPException(status_code=422, detail=f"'{name}' is out of range: {exc}") from exc


@router.get("/analytics", response_model=Analytics)
def analytics(
    copilot: CopilotDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
) -> Analytics:
    """What agents' feedback says about the copilot, for a time window.

    Top intents with acceptance, edit and rejection rates (an intent above 30% intervention is
    flagged as needing knowledge work), the questions behind knowledge gaps grouped by meaning,
    compliance hits by category, escalation rate and latency.
    """
    return copilot.analytics(_epoch(since, "since"), _epoch(until, "until"))


@router.get("/coverage", response_model=Coverage)
def coverage(
    copilot: CopilotDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
) -> Coverage:
    """What the shop's knowledge answers and what is left to write.

    For every intent in every stage and every everyday situation: answered by the shop's own
    scripts, the built-in playbook or nothing; knowledge gaps and low-confidence readings from
    served traffic grouped by meaning; intents above 30% intervention; what to write next.
    """
    return copilot.coverage(_epoch(since, "since"), _epoch(until, "until"))
