"""Every draft through the compliance guard before it leaves; personal data never repeated."""

from copilot.compliance.guard import ComplianceGuard
from copilot.drafting.context import DraftContext, cite
from copilot.drafting.facts import finish
from copilot.drafting.offline import load_phrasing
from copilot.drafting.order_truth import keep_to_the_order
from copilot.personal_data import mask as mask_pii
from copilot.schemas import Draft, DraftCompliance

SAFE_STRATEGY = "安全话术"
# a draft that loses more than half its text to cleaning no longer says what it meant to
MIN_KEPT_SHARE = 0.5


def safe_draft(context: DraftContext, guard: ComplianceGuard) -> Draft:
    """The shop's own script when a draft cannot be cleaned (checked like any draft)."""
    for script in context.gap_scripts + context.scripts:
        text = finish(script.text)
        if guard.check(text).passed:
            return Draft(text=text, strategy=SAFE_STRATEGY, citations=[cite(script, text)])
    return Draft(text="您好，您的问题我已收到，正在为您核实，请稍等。", strategy=SAFE_STRATEGY)


def order_checked(text: str, context: DraftContext) -> str:
    """Text with any order status the request's order does not show replaced by "I'll check"."""
    return keep_to_the_order(
        text, context.request.order, load_phrasing()["order_check"], context.customer_said
    )


def guard_draft(draft: Draft, context: DraftContext, guard: ComplianceGuard) -> Draft:
    """The draft with block terms replaced or their sentences dropped, and what was found.

    Order statuses the request's order does not show are replaced first (order_checked).
    """
    text = mask_pii(order_checked(draft.text, context))
    found = guard.check(text)
    if found.passed:
        return draft.model_copy(
            update={"text": text, "compliance": DraftCompliance(passed=True, hits=found.hits)}
        )
    cleaned = found.cleaned
    removed = [hit for hit in found.hits if hit.severity == "block"]
    if len(cleaned) < MIN_KEPT_SHARE * len(text) or not guard.check(cleaned).passed:
        replacement = safe_draft(context, guard)
        return replacement.model_copy(
            update={"compliance": DraftCompliance(passed=False, hits=[], removed=removed)}
        )
    return draft.model_copy(
        update={
            "text": cleaned,
            "compliance": DraftCompliance(passed=False, hits=guard.hits(cleaned), removed=removed),
        }
    )
