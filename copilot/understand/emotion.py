"""Emotion and urgency from cue words, punctuation and how the conversation has gone so far.

calm: an ordinary question. anxious: worried, in a hurry or disappointed (negative, not hostile).
angry: hostile, threatening, or upset again and again.
"""

import re
from dataclasses import dataclass, field

from copilot.understand.signals import Signals

_EXCLAIM_RUN = re.compile(r"[!！]{2,}")
_QUESTION_RUN = re.compile(r"[?？]{2,}")
ANGRY_AT = 2


@dataclass
class EmotionReading:
    """The emotion and urgency, with the cues that led there (used for escalation reasons)."""

    emotion: str
    urgency: str
    cues: dict[str, list[str]] = field(default_factory=dict)
    unresolved_turns: int = 0


def _unresolved_turns(customer_turns: list[str], signals: Signals) -> int:
    """Earlier customer turns that already complained, waited or repeated themselves."""
    kinds = ("waiting", "displeasure", "repeats", "insults", "threats")
    return sum(1 for turn in customer_turns if any(signals.found(k, turn) for k in kinds))


def read_emotion(
    text: str,
    earlier_customer_turns: list[str],
    intent: str,
    order_status: str | None,
    signals: Signals,
) -> EmotionReading:
    """Emotion and urgency of a normalised message in its conversation."""
    cues = {
        kind: signals.found(kind, text)
        for kind in ("insults", "threats", "displeasure", "anxiety", "waiting", "repeats", "safety")
    }
    cues["compensation"] = signals.found("compensation", text)
    exclaim = bool(_EXCLAIM_RUN.search(text))
    questions = bool(_QUESTION_RUN.search(text))
    unresolved = _unresolved_turns(earlier_customer_turns, signals)
    anger = (
        2 * bool(cues["insults"])
        + 2 * bool(cues["threats"])
        + bool(cues["displeasure"])
        + bool(cues["repeats"])
        + (bool(cues["waiting"]) and (exclaim or questions or bool(cues["displeasure"])))
        + exclaim
        + (unresolved >= 2 and bool(cues["waiting"] or cues["displeasure"] or questions))
    )
    if anger >= ANGRY_AT:
        emotion = "angry"
    elif anger or cues["anxiety"] or cues["waiting"] or questions or cues["safety"]:
        emotion = "anxious"
    else:
        emotion = "calm"
    overdue = bool(cues["waiting"]) and order_status in signals.overdue_status
    if emotion == "angry" or cues["threats"] or cues["safety"] or overdue:
        urgency = "high"
    elif emotion == "anxious" or intent in signals.problem_intents or cues["waiting"]:
        urgency = "medium"
    else:
        urgency = "low"
    return EmotionReading(emotion, urgency, {k: v for k, v in cues.items() if v}, unresolved)
