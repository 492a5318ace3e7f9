"""Every sample shop scored on its own golden set and gated on its own floors (eval/shops.yaml).

The bundled shop is one example, not the target: a shop with products and rules but no scripts
and a shop with products only are measured separately, and the built-in playbook is checked
for any shop's specifics (a playbook written around one shop would not transfer to the next).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from copilot.config import REPO_DIR, Settings
from copilot.drafting.playbook import built_in_playbook
from copilot.errors import ConfigError, KnowledgeError
from copilot.evaluation.runner import EvalReport
from copilot.evaluation.suite import evaluate
from copilot.index.text import normalize
from copilot.knowledge import load_knowledge

SHOPS_FILE = REPO_DIR / "eval" / "shops.yaml"
# always gated, whatever the file says: no banned word, no failed request, no shop's specifics
CEILINGS = {"compliance_violations": 0.0, "errors": 0.0, "playbook_specifics": 0.0}
# a number with its unit is a shop's specific (72小时, 69元); product names and skus too
_QUANTITY = re.compile(r"\d+(?:\.\d+)?\s*(?:小时|天|元|千克|克|毫升|升|厘米|米|个月|年|%)")


class ShopEntry(BaseModel):
    """One shop: its knowledge, its golden set, its floors and the targets it is held to."""

    model_config = ConfigDict(extra="forbid")

    knowledge: Path
    golden: Path
    floors: dict[str, float] = {}
    targets: dict[str, float] = {}


class ShopsFile(BaseModel):
    """eval/shops.yaml."""

    model_config = ConfigDict(extra="forbid")

    targets: dict[str, float] = {}
    shops: dict[str, ShopEntry]


@dataclass
class ShopResult:
    """One shop's report, the floors it missed and how far it is from its targets."""

    name: str
    report: EvalReport
    specifics: list[str]
    problems: list[str] = field(default_factory=list)
    below_target: list[str] = field(default_factory=list)


def load_shops(path: Path = SHOPS_FILE) -> dict[str, ShopEntry]:
    """The shops file, with paths made absolute against the repository (or the file's folder)."""
    try:
        parsed = ShopsFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise KnowledgeError([f"{path}: cannot be read ({exc.strerror})"]) from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise KnowledgeError([f"{path}: {exc}"]) from exc
    base = REPO_DIR if path.resolve().is_relative_to(REPO_DIR) else path.parent
    problems, shops = [], {}
    for name, entry in parsed.shops.items():
        entry.knowledge = base / entry.knowledge  # an absolute path stays as it is
        entry.golden = base / entry.golden
        for label, where in (("knowledge", entry.knowledge), ("golden", entry.golden)):
            if not where.exists():
                problems.append(f"{path}: shop '{name}': {label} {where} does not exist")
        shops[name] = entry
    if problems:
        raise KnowledgeError(problems)
    return shops


def shop_specifics(knowledge_dir: Path) -> set[str]:
    """What only this shop says: its product names, skus and numbers with units."""
    knowledge = load_knowledge(knowledge_dir)
    texts = [s.body for document in knowledge.rules.values() for s in document.sections]
    found = set()
    for _, product in knowledge.products.values():
        found |= {normalize(product.sku), normalize(product.name)}
        texts += [str(value) for value in product.attributes.values()]
    found |= {normalize(q).replace(" ", "") for text in texts for q in _QUANTITY.findall(text)}
    return {word for word in found if len(word) >= 2}


def playbook_specifics(knowledge_dir: Path) -> list[str]:
    """The shop's specifics the built-in playbook contains: must be none (leave-one-shop-out)."""
    moves = " ".join(normalize(m.text).replace(" ", "") for m in built_in_playbook().moves)
    return sorted(word for word in shop_specifics(knowledge_dir) if word in moves)


def drafted(report: EvalReport) -> float:
    """Share of cases that got at least one draft."""
    if not report.results:
        return 0.0
    return sum(1 for r in report.results if r.drafts) / len(report.results)


def _judge(result: ShopResult, entry: ShopEntry) -> None:
    metrics = result.report.metrics
    for name, floor in entry.floors.items():
        value = metrics.get(name)
        if value is None or value < floor:
            result.problems.append(f"{result.name}: {name} {value} is below its floor {floor:g}")
    for name, ceiling in CEILINGS.items():
        value = metrics.get(name)
        if value is not None and value > ceiling:
            result.problems.append(f"{result.name}: {name} {value:g} is above {ceiling:g}")
    for name, target in entry.targets.items():
        value = metrics.get(name)
        if value is not None and value < target:
            result.below_target.append(f"{name} {value:.3f} < {target:g}")


def evaluate_shops(
    settings: Settings,
    shops: dict[str, ShopEntry],
    names: list[str] | None = None,
    report_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[ShopResult]:
    """Score each shop offline on its own index (under data_dir/eval-shops/NAME)."""
    unknown = sorted(set(names or ()) - set(shops))
    if unknown:
        known = ", ".join(shops)
        raise ConfigError(f"no shop {', '.join(unknown)} in the shops file (known: {known})")
    results = []
    for name in names or list(shops):
        entry = shops[name]
        shop_settings = settings.model_copy(
            update={
                "knowledge_dir": entry.knowledge,
                "data_dir": settings.data_dir / "eval-shops" / name,
                "shop": name,
            }
        )
        outcome = evaluate(
            shop_settings,
            golden=entry.golden,
            report_dir=report_dir / name if report_dir else None,
            progress=progress,
            transfer=False,
        )
        report = outcome.report
        report.metrics["drafted"] = round(drafted(report), 4)
        specifics = playbook_specifics(entry.knowledge)
        report.metrics["playbook_specifics"] = float(len(specifics))
        result = ShopResult(name, report, specifics)
        _judge(result, entry)
        results.append(result)
    return results
