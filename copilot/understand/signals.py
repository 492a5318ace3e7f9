"""Cue-word lists for stage, emotion and escalation, loaded once from data/signals.yaml."""

from dataclasses import dataclass
from functools import cache

from copilot.datafiles import package_yaml
from copilot.index.text import normalize


def _words(values) -> tuple[str, ...]:
    return tuple(normalize(str(value)) for value in values)


@dataclass(frozen=True)
class Signals:
    """Every cue list, normalised like the messages they are matched against."""

    stage_defaults: dict[str, str]
    stage_by_order: dict[str, str]
    stage_cues: dict[str, tuple[str, ...]]
    emotion: dict[str, tuple[str, ...]]
    problem_intents: frozenset[str]
    overdue_status: frozenset[str]

    def found(self, kind: str, text: str) -> list[str]:
        """The cue words of an emotion kind present in (normalised) text."""
        return [word for word in self.emotion[kind] if word in text]


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
