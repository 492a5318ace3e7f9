"""Which stage of the purchase a message belongs to: the order says it best, then the wording."""

from copilot.knowledge.taxonomy import INTENT_STAGES
from copilot.understand.signals import Signals


def infer_stage(intent: str, text: str, order_status: str | None, signals: Signals) -> str:
    """Stage for an intent, limited to the stages that intent occurs in."""
    allowed = INTENT_STAGES[intent]
    candidates: list[str] = []
    if order_status:
        candidates.append(signals.stage_by_order[order_status])
    for stage in ("aftersale", "insale", "presale"):
        if any(cue in text for cue in signals.stage_cues.get(stage, ())):
            candidates.append(stage)
    for stage in candidates:
        if stage in allowed:
            return stage
    default = signals.stage_defaults.get(intent, allowed[0])
    return default if default in allowed else allowed[0]
