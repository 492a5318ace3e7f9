"""Measuring transfer: how understanding holds on categories and shops it was not trained on.

- leave-one-category-out: train without a category, read that category's rows with its catalog;
- cross-validation by category groups (what `copilot train` picks its thresholds on);
- the realistic sets (eval/understanding/realistic-N): shops and phrasing written apart from the
  training data, read through the same analyzer that serves drafts, each shop's catalog masked.
  Set 2 is the gate: written after the training data was final and never looked at to change
  anything. Set 1 was measured once, then informed which gaps of the training data to fill (the
  README says how), so it is reported, not trusted as unseen.
"""

import json
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel

from copilot.config import REPO_DIR
from copilot.errors import TrainingDataError
from copilot.knowledge.chunks import product_chunk
from copilot.knowledge.models import Product
from copilot.knowledge.taxonomy import INTENTS
from copilot.schemas import DraftRequest, Turn
from copilot.stats import ratio
from copilot.understand.classifier import MessageClassifier
from copilot.understand.dataset import GENERIC
from copilot.understand.textprep import model_text
from copilot.understand.training import (
    SHIPPED,
    EmbeddingCache,
    TrainingData,
    TrainOptions,
    fit,
    with_options,
)
from copilot.understand.vocabulary import EMPTY_VOCABULARY, ProductVocabulary

REALISTIC_DIR = REPO_DIR / "eval" / "understanding"
REALISTIC_SETS = ("realistic-2", "realistic-1")
GATE_SET = "realistic-2"
CV_FOLDS = 5


@dataclass(frozen=True)
class Prediction:
    """One labelled message and what the copilot read in it."""

    id: str
    group: str
    text: str
    intent: str
    emotion: str
    predicted_intent: str
    predicted_emotion: str
    confidence: float
    angry_probability: float
    escalate: bool | None = None  # expected (realistic set only)
    escalated: bool | None = None


class Scores(BaseModel):
    """Aggregate figures over predictions."""

    messages: int
    intent_accuracy: float | None
    emotion_accuracy: float | None
    angry_precision: float | None
    angry_recall: float | None
    escalation_recall: float | None = None
    escalation_precision: float | None = None
    per_intent: dict[str, float] = {}


def score(predictions: list[Prediction]) -> Scores:
    """Accuracy, angry precision/recall and (where expected) escalation recall/precision."""
    n = len(predictions)
    angry_true = [p for p in predictions if p.emotion == "angry"]
    angry_said = [p for p in predictions if p.predicted_emotion == "angry"]
    both = sum(1 for p in angry_true if p.predicted_emotion == "angry")
    judged = [p for p in predictions if p.escalate is not None]
    should = [p for p in judged if p.escalate]
    did = [p for p in judged if p.escalated]
    by_intent = Counter(p.intent for p in predictions)
    right = Counter(p.intent for p in predictions if p.predicted_intent == p.intent)
    return Scores(
        messages=n,
        intent_accuracy=ratio(sum(right.values()), n),
        emotion_accuracy=ratio(sum(1 for p in predictions if p.predicted_emotion == p.emotion), n),
        angry_precision=ratio(both, len(angry_said)),
        angry_recall=ratio(both, len(angry_true)),
        escalation_recall=ratio(sum(1 for p in should if p.escalated), len(should))
        if judged
        else None,
        escalation_precision=ratio(sum(1 for p in did if p.escalate), len(did)) if judged else None,
        per_intent={i: round(right[i] / by_intent[i], 4) for i in INTENTS if by_intent[i]},
    )


class TransferReport(BaseModel):
    """Overall and per-group scores, and the messages read wrongly (for the report)."""

    name: str
    overall: Scores
    groups: dict[str, Scores]
    wrong: list[dict] = []


def report(name: str, predictions: list[Prediction], limit: int = 60) -> TransferReport:
    """Scores overall and per group, with up to `limit` mistakes listed."""
    groups: dict[str, list[Prediction]] = {}
    for p in predictions:
        groups.setdefault(p.group, []).append(p)
    wrong = [
        {
            "id": p.id,
            "text": p.text,
            "intent": p.intent,
            "predicted_intent": p.predicted_intent,
            "emotion": p.emotion,
            "predicted_emotion": p.predicted_emotion,
            "confidence": p.confidence,
            "escalate": p.escalate,
            "escalated": p.escalated,
        }
        for p in predictions
        if p.predicted_intent != p.intent
        or p.predicted_emotion != p.emotion
        or (p.escalate and not p.escalated)
    ]
    return TransferReport(
        name=name,
        overall=score(predictions),
        groups={g: score(ps) for g, ps in sorted(groups.items())},
        wrong=wrong[:limit],
    )


# -- training rows: leave-one-category-out and grouped cross-validation ----------------------


def _read_rows(model, rows, vocabulary: ProductVocabulary, cache: EmbeddingCache, group_of):
    classifier = MessageClassifier(model)
    texts = [classifier.texts(r.text, r.previous, vocabulary) for r in rows]
    vectors = cache([t for ts in texts for t in ts])
    predictions, position = [], 0
    for row, row_texts in zip(rows, texts, strict=True):
        reading = classifier.read(row_texts, vectors[position : position + len(row_texts)])
        position += len(row_texts)
        predictions.append(
            Prediction(
                row.id,
                group_of(row),
                row.text,
                row.intent,
                row.emotion,
                reading.intent,
                reading.emotion,
                reading.confidence,
                reading.emotions["angry"],
            )
        )
    return predictions


def _vocabulary(data: TrainingData, category: str, model, options: TrainOptions):
    if not options.mask or category not in data.catalogs:
        return EMPTY_VOCABULARY
    return ProductVocabulary(data.catalogs[category].terms, model.protected)


def leave_one_category_out(
    data: TrainingData,
    cache: EmbeddingCache,
    options: TrainOptions = SHIPPED,
    categories: list[str] | None = None,
) -> list[Prediction]:
    """Predictions for every category's rows by a model trained without that category."""
    predictions = []
    for category in categories or sorted(data.catalogs):
        model = fit(data, cache, with_options(options, exclude_categories=frozenset({category})))
        rows = [r for r in data.utterances if r.category == category]
        vocabulary = _vocabulary(data, category, model, options)
        predictions += _read_rows(model, rows, vocabulary, cache, lambda r: r.category)
    return predictions


def _fold(row) -> int:
    """Categories stay together; generic rows and risk examples are spread by id."""
    key = row.id if getattr(row, "category", GENERIC) == GENERIC else row.category
    return zlib.crc32(key.encode()) % CV_FOLDS


def _risk_scores(model, held_utterances, held_risk, cache: EmbeddingCache) -> list:
    """(true label, is a look-alike, probabilities) of held-out examples for the risk head."""
    examples = [("none", False, model_text(r.text)) for r in held_utterances]
    examples += [(r.risk, r.risk == "none", model_text(r.text)) for r in held_risk]
    vectors = cache([text for _, _, text in examples])
    return [
        (truth, alike, model.predict("risk", model.features(text, vector)))
        for (truth, alike, text), vector in zip(examples, vectors, strict=True)
    ]


def cross_validated(
    data: TrainingData,
    cache: EmbeddingCache,
    options: TrainOptions = SHIPPED,
    with_risk: bool = False,
):
    """Out-of-fold predictions for every utterance (folds grouped by category).

    with_risk: also return the risk head's out-of-fold scores (risk examples folded by id).
    """
    predictions, risk_scores = [], []
    for fold in range(CV_FOLDS):
        held = [r for r in data.utterances if _fold(r) == fold]
        held_risk = [r for r in data.risk if _fold(r) == fold] if with_risk else []
        kept = TrainingData(
            [r for r in data.utterances if _fold(r) != fold],
            [r for r in data.risk if r not in held_risk],
            data.catalogs,
        )
        model = fit(kept, cache, options)
        for category in sorted({r.category for r in held}):
            rows = [r for r in held if r.category == category]
            vocabulary = _vocabulary(data, category, model, options)
            predictions += _read_rows(model, rows, vocabulary, cache, lambda r: r.category)
        if with_risk:
            risk_scores += _risk_scores(model, held, held_risk, cache)
    return (predictions, risk_scores) if with_risk else predictions


# -- the realistic set ----------------------------------------------------------------------


class RealisticMessage(BaseModel):
    """A message of the realistic set."""

    id: str
    shop: str
    text: str
    intent: str
    emotion: str
    escalate: bool
    tags: list[str] = []
    history: list[Turn] = []


@dataclass
class RealisticSet:
    """Messages and each shop's product chunk texts."""

    messages: list[RealisticMessage]
    catalogs: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, name: str = GATE_SET, folder: Path | None = None) -> "RealisticSet":
        """eval/understanding/<name>/messages.jsonl and shops.yaml."""
        folder = folder or REALISTIC_DIR / name
        lines = (folder / "messages.jsonl").read_text(encoding="utf-8").splitlines()
        messages = [RealisticMessage.model_validate(json.loads(line)) for line in lines if line]
        shops = yaml.safe_load((folder / "shops.yaml").read_text(encoding="utf-8"))
        catalogs = {}
        for shop, entry in shops.items():
            products = [Product.model_validate(p) for p in entry["products"]]
            catalogs[shop] = tuple(product_chunk("shops.yaml", p).text for p in products)
        missing = sorted({m.shop for m in messages} - set(catalogs))
        if missing:
            raise TrainingDataError([f"shops.yaml: no catalog for shop {s!r}" for s in missing])
        return cls(messages, catalogs)


def realistic_predictions(analyzer_for, realistic: RealisticSet) -> list[Prediction]:
    """Read every realistic message with the analyzer serving its shop (analyzer_for(shop))."""
    predictions = []
    for message in realistic.messages:
        analyzer = analyzer_for(message.shop)
        request = DraftRequest(message=message.text, history=message.history)
        understanding = analyzer.analyze(request)
        analysis = understanding.analysis
        predictions.append(
            Prediction(
                message.id,
                message.shop,
                message.text,
                message.intent,
                message.emotion,
                analysis.intent,
                analysis.emotion,
                analysis.confidence,
                understanding.reading.angry_probability,
                message.escalate,
                analysis.escalate.needed,
            )
        )
    return predictions


# -- reports for `copilot eval` ---------------------------------------------------------------

HEADLINE_FIELDS = (
    "intent_accuracy",
    "emotion_accuracy",
    "angry_precision",
    "angry_recall",
    "escalation_recall",
    "escalation_precision",
)


def realistic_report(encoder, model, name: str = GATE_SET) -> TransferReport:
    """A realistic set read by the serving analyzer, each shop with its own catalog."""
    from copilot.understand.analyzer import MessageAnalyzer

    realistic = RealisticSet.load(name)
    analyzers = {
        shop: MessageAnalyzer(encoder, model, catalog=lambda texts=texts: texts)
        for shop, texts in realistic.catalogs.items()
    }
    return report(name, realistic_predictions(analyzers.__getitem__, realistic))


def loco_report(encoder, options: TrainOptions = SHIPPED) -> TransferReport:
    """Leave-one-category-out over the training data (a model trained per category)."""
    data = TrainingData.load()
    return report("loco", leave_one_category_out(data, EmbeddingCache(encoder.encode), options))


def headline(transfer: TransferReport) -> dict[str, float | None]:
    """The report's overall figures as eval metrics (realistic2_intent_accuracy, ...)."""
    overall = transfer.overall.model_dump()
    prefix = transfer.name.replace("-", "")
    return {f"{prefix}_{name}": overall[name] for name in HEADLINE_FIELDS}
