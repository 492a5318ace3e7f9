"""The regression gate: compare a report with a baseline under the checked-in tolerances."""

import json
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from copilot.errors import KnowledgeError


class Tolerance(BaseModel):
    """How far one metric may move: drop below the baseline, an absolute floor or ceiling."""

    model_config = ConfigDict(extra="forbid")

    max_drop: float | None = None
    max: float | None = None
    min: float | None = None
    optional: bool = False  # skipped when a run does not measure it (e.g. --url: no transfer)

    @model_validator(mode="after")
    def _one_rule(self):
        if self.max_drop is None and self.max is None and self.min is None:
            raise ValueError(
                "give max_drop (allowed drop below the baseline), min (floor) or max (ceiling)"
            )
        return self


class Thresholds(BaseModel):
    """eval/thresholds.yaml."""

    model_config = ConfigDict(extra="forbid")

    metrics: dict[str, Tolerance]


def load_thresholds(path: Path) -> Thresholds:
    """The tolerance file; problems name the file and field."""
    try:
        return Thresholds.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise KnowledgeError([f"{path}: cannot be read ({exc.strerror})"]) from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise KnowledgeError([f"{path}: {exc}"]) from exc


def load_baseline(path: Path) -> dict[str, float | None]:
    """The metrics of an earlier report.json."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))["metrics"]
    except (OSError, ValueError, KeyError) as exc:
        raise KnowledgeError([f"{path}: not a report.json with 'metrics' ({exc})"]) from exc


def regressions(
    current: dict[str, float | None], baseline: dict[str, float | None], thresholds: Thresholds
) -> list[str]:
    """Every metric that moved beyond its tolerance, as a sentence; empty when the gate passes."""
    problems = []
    for name, rule in thresholds.metrics.items():
        now, before = current.get(name), baseline.get(name)
        if now is None:
            if not rule.optional:
                problems.append(f"{name}: missing from this run")
            continue
        if rule.max is not None and now > rule.max:
            problems.append(f"{name}: {now:g} is above the allowed maximum {rule.max:g}")
        if rule.min is not None and now < rule.min:
            problems.append(f"{name}: {now:.4f} is below the required minimum {rule.min:g}")
        if rule.max_drop is not None and before is not None and now < before - rule.max_drop:
            problems.append(
                f"{name}: {now:.4f} dropped {before - now:.4f} below the baseline {before:.4f} "
                f"(tolerance {rule.max_drop:g})"
            )
    return problems
