"""Cue-word lists for stage, urgency and escalation reasons, loaded once from data/signals.yaml."""

import re
from dataclasses import dataclass
from functools import cache

from copilot.datafiles import package_yaml
from copilot.index.text import normalize

_LATIN = re.compile(r"^[a-z0-9]+$")


def _words(values) -> tuple[str, ...]:
    return tuple(normalize(str(value)) for value in values)


def cue_pattern(words: tuple[str, ...]) -> re.Pattern | None:
    """One pattern per cue list; Latin cues match whole words only (sb is not in usb)."""
    if not words:
        return None
    parts = [
        rf"(?<![a-z]){re.escape(w)}(?![a-z])" if _LATIN.match(w) else re.escape(w)
        for w in sorted(words, key=len, reverse=True)
    ]
    return re.compile("|".join(parts))


@dataclass(frozen=True, eq=False)
class Signals:
    """Every cue list, normalised like the messages they are matched against."""

    stage_defaults: dict[str, str]
    stage_by_order: dict[str, str]
    stage_cues: dict[str, tuple[str, ...]]
    emotion: dict[str, tuple[str, ...]]
    problem_intents: frozenset[str]
    overdue_status: frozenset[str]

    def found(self, kind: str, text: str) -> list[str]:
        """The cue words of a kind present in (normalised) text, longest first."""
        pattern = _patterns(self)[kind]
        return list(dict.fromkeys(pattern.findall(text))) if pattern else []


@cache
def _patterns(signals: Signals) -> dict[str, re.Pattern | None]:
    """Compiled cue patterns of one Signals (hashed by identity: it is loaded once)."""
    return {kind: cue_pattern(words) for kind, words in signals.emotion.items()}


@cache
def load_signals() -> Signals:
    """Signals from the package's data file."""
    data = package_yaml("copilot.understand", "signals.yaml")
    return Signals(
        stage_defaults=data["stage"]["defaults"],
        stage_by_order=data["stage"]["order_status"],
        stage_cues={stage: _words(words) for stage, words in data["stage"]["cues"].items()},
        emotion={kind: _words(words) for kind, words in data["emotion"].items()},
        problem_intents=frozenset(data["urgency"]["problem_intents"]),
        overdue_status=frozenset(data["urgency"]["overdue_status"]),
    )
