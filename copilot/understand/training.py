"""Training the understanding model from the labelled data (`copilot train`).

Each utterance is prepared and its product words masked with its category's catalog, exactly as
serving masks a message with the shop's own catalog; chat-like variants are added; then one
logistic regression per head (intent, emotion, risk) is fitted over [embedding, char n-grams].
Deterministic: sorted vocabulary, seeded augmentation, a deterministic solver.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import jieba
import numpy as np

from copilot.knowledge.taxonomy import INTENTS
from copilot.understand.augment import augment
from copilot.understand.dataset import (
    DATA_DIR,
    GENERIC,
    CategoryCatalog,
    RiskExample,
    Utterance,
    check_categories,
    load_catalogs,
    load_risk_examples,
    load_utterances,
)
from copilot.understand.emotion import angry_escalation
from copilot.understand.features import NgramSpace, SyllableSpace
from copilot.understand.model import EMBEDDING_DIM, LinearHead, UnderstandingModel
from copilot.understand.textprep import model_text, prepare
from copilot.understand.vocabulary import ProductVocabulary

Embed = Callable[[list[str]], np.ndarray]
EMOTIONS = ("calm", "anxious", "angry")
RISKS = ("none", "prompt_injection", "phishing")
# a word used in this many product categories is everyday language, never a product word
PROTECTED_MIN_CATEGORIES = 5
_tokenizer = jieba.dt  # the default dictionary, shared with the rest of the process


@dataclass(frozen=True)
class TrainOptions:
    """How to train; the defaults are what ships. The others exist for ablations."""

    augment: bool = True
    mask: bool = True
    c_intent: float = 30.0
    c_emotion: float = 10.0
    c_risk: float = 100.0
    embedding_weight: float = 0.5
    # scale of the syllable n-grams against the character n-grams; 0 leaves them out
    sound_weight: float = 1.0
    exclude_categories: frozenset[str] = frozenset()


SHIPPED = TrainOptions()


@dataclass(frozen=True)
class Example:
    """A training text as the model reads it, with its labels."""

    text: str
    intent: str | None
    emotion: str | None
    risk: str
    category: str


@dataclass
class TrainingData:
    """Everything training reads, loaded and validated once."""

    utterances: list[Utterance]
    risk: list[RiskExample]
    catalogs: dict[str, CategoryCatalog]
    fingerprint: str = ""

    @classmethod
    def load(cls, folder: Path | None = None) -> "TrainingData":
        """utterances/, risk/ and catalogs.yaml of a data folder (the package's by default).

        Raises TrainingDataError naming every bad file and row.
        """
        folder = folder or DATA_DIR
        utterances = load_utterances(folder / "utterances")
        catalogs = load_catalogs(folder / "catalogs.yaml")
        check_categories(utterances, catalogs)
        risk = load_risk_examples(folder / "risk")
        digest = hashlib.sha256()
        for row in [*utterances, *risk]:
            digest.update(row.model_dump_json().encode())
        for category in sorted(catalogs):
            digest.update(f"{category}:{'|'.join(catalogs[category].terms)}".encode())
        return cls(utterances, risk, catalogs, digest.hexdigest()[:16])


def join_turns(previous: str, message: str) -> str:
    """A short follow-up read together with the customer's previous turn."""
    return f"{previous}，{message}"


def protected_words(rows: Iterable[Utterance]) -> frozenset[str]:
    """Words customers use across many product categories (颜色, 发货): never masked."""
    categories: dict[str, set[str]] = {}
    for row in rows:
        if row.category == GENERIC:
            continue
        for word in set(_tokenizer.cut(prepare(row.text))):
            if len(word) >= 2:
                categories.setdefault(word, set()).add(row.category)
    return frozenset(w for w, cats in categories.items() if len(cats) >= PROTECTED_MIN_CATEGORIES)


@dataclass
class _Masker:
    catalogs: dict[str, CategoryCatalog]
    protected: frozenset[str]
    enabled: bool
    cache: dict[str, ProductVocabulary] = field(default_factory=dict)

    def __call__(self, text: str, category: str) -> str:
        prepared = model_text(text)
        if not self.enabled or category not in self.catalogs:
            return prepared
        if category not in self.cache:
            self.cache[category] = ProductVocabulary(self.catalogs[category].terms, self.protected)
        return self.cache[category].mask(prepared)


def utterance_examples(
    rows: list[Utterance], masker: Callable[[str, str], str], with_augment: bool
) -> list[Example]:
    """Examples of labelled utterances (and their chat-like variants)."""
    items = [(r.text, r.previous, r.intent, r.emotion, r.category) for r in rows]
    if with_augment:
        items += [(v.text, v.previous, v.intent, v.emotion, v.category) for v in augment(rows)]
    examples = []
    for text, previous, intent, emotion, category in items:
        full = join_turns(previous, text) if previous else text
        examples.append(Example(masker(full, category), intent, emotion, "none", category))
    return examples


def risk_examples(rows: list[RiskExample]) -> list[Example]:
    """Examples for the risk head only."""
    return [Example(model_text(r.text), None, None, r.risk, GENERIC) for r in rows]


class EmbeddingCache:
    """Embeds each distinct text once, in batches (LOCO folds share most texts)."""

    def __init__(self, embed: Embed):
        self.embed = embed
        self.vectors: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        """One row per text, in order."""
        missing = sorted({t for t in texts if t not in self.vectors})
        for start in range(0, len(missing), 512):
            batch = missing[start : start + 512]
            for text, vector in zip(batch, self.embed(batch), strict=True):
                self.vectors[text] = np.asarray(vector, dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, EMBEDDING_DIM))


def _fit_head(
    features, labels: list[str], classes: tuple[str, ...], c: float, balanced: bool = False
) -> LinearHead:
    from sklearn.linear_model import LogisticRegression

    present = tuple(label for label in classes if label in set(labels))
    weight = "balanced" if balanced else None
    classifier = LogisticRegression(C=c, max_iter=2000, tol=1e-5, class_weight=weight)
    classifier.fit(features, [present.index(label) for label in labels])
    weights = np.zeros((len(present), features.shape[1]), dtype=np.float32)
    weights[:] = classifier.coef_
    return LinearHead(present, weights, classifier.intercept_.astype(np.float32))


def _design(
    texts: list[str],
    spaces: tuple[NgramSpace, SyllableSpace | None],
    cache: EmbeddingCache,
    options: TrainOptions,
):
    from scipy.sparse import csr_matrix, hstack

    chars, sounds = spaces
    blocks = [csr_matrix(cache(texts) * options.embedding_weight), chars.matrix(texts)]
    if sounds is not None:
        blocks.append(sounds.matrix(texts) * options.sound_weight)
    return hstack(blocks).tocsr()


def fit(
    data: TrainingData, embed: Embed | EmbeddingCache, options: TrainOptions = SHIPPED
) -> UnderstandingModel:
    """Train every head on the data (minus options.exclude_categories)."""
    cache = embed if isinstance(embed, EmbeddingCache) else EmbeddingCache(embed)
    rows = [r for r in data.utterances if r.category not in options.exclude_categories]
    protected = protected_words(rows)
    masker = _Masker(data.catalogs, protected, options.mask)
    labelled = utterance_examples(rows, masker, options.augment)
    risky = risk_examples(data.risk)
    texts = [e.text for e in labelled + risky]
    spaces = (NgramSpace.fit(texts), SyllableSpace.fit(texts) if options.sound_weight else None)
    heads = {}
    x = _design([e.text for e in labelled], spaces, cache, options)
    heads["intent"] = _fit_head(x, [e.intent for e in labelled], INTENTS, options.c_intent)
    heads["emotion"] = _fit_head(x, [e.emotion for e in labelled], EMOTIONS, options.c_emotion)
    x_risk = _design(texts, spaces, cache, options)
    # a few hundred attacks against thousands of ordinary messages: weigh the classes evenly
    risk_labels = [e.risk for e in labelled + risky]
    heads["risk"] = _fit_head(x_risk, risk_labels, RISKS, options.c_risk, balanced=True)
    metadata = {
        "data_fingerprint": data.fingerprint,
        "rows": len(rows),
        "examples": len(labelled),
        "risk_examples": len(risky),
        "options": {
            "augment": options.augment,
            "mask": options.mask,
            "c": [options.c_intent, options.c_emotion, options.c_risk],
        },
        "categories": dict(sorted(Counter(r.category for r in rows).items())),
    }
    return UnderstandingModel(
        spaces[0],
        heads,
        protected,
        options.embedding_weight,
        metadata,
        spaces[1],
        options.sound_weight,
    )


def with_options(options: TrainOptions, **changes) -> TrainOptions:
    """A copy of options with some fields changed (for ablations)."""
    return replace(options, **changes)


# -- the shipped model -----------------------------------------------------------------------

# P(angry) thresholds tried for escalation, and the cross-validated recall of angry customers
# the chosen one must reach: the escalation gate (0.95). Each point above it costs about five
# handovers of customers who were not angry per angry customer caught (out of fold, 0.15 vs
# 0.35: 14 more angry caught, 78 more anxious or calm escalated), and handovers nobody needed
# teach agents to ignore the flag
ESCALATION_GRID = (0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1)
ESCALATION_RECALL = 0.95
# risk flag thresholds tried, and the false-positive budgets the chosen one must keep on the
# out-of-fold ordinary messages: all of them, and the look-alikes written to resemble attacks
# (from 0.99: when the look-alikes already break the budget at 0.9, a stricter threshold that
# keeps it must be found, not the grid's top taken over budget)
RISK_GRID = (0.99, 0.98, 0.97, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1)
RISK_FALSE_POSITIVES = 0.003
RISK_LOOKALIKE_FALSE_POSITIVES = 0.01


def choose_escalation_threshold(predictions) -> float:
    """The highest P(angry) threshold whose out-of-fold angry recall reaches the target."""
    angry = [p for p in predictions if p.emotion == "angry"]
    for threshold in ESCALATION_GRID:
        caught = sum(
            1
            for p in angry
            if angry_escalation(p.predicted_emotion, p.angry_probability, threshold)
        )
        if angry and caught / len(angry) >= ESCALATION_RECALL:
            return threshold
    return ESCALATION_GRID[-1]


def choose_risk_thresholds(scores) -> dict[str, float]:
    """Per risk label, the lowest threshold whose out-of-fold false positives stay in budget.

    scores: (true risk label, is a written look-alike, probabilities) per out-of-fold example.
    """
    chosen = {}
    for label in RISKS[1:]:
        ordinary = [probs[label] for truth, _, probs in scores if truth == "none"]
        lookalikes = [probs[label] for truth, alike, probs in scores if truth == "none" and alike]
        chosen[label] = RISK_GRID[0]
        for threshold in RISK_GRID:
            everyday = sum(p >= threshold for p in ordinary) / max(1, len(ordinary))
            alike = sum(p >= threshold for p in lookalikes) / max(1, len(lookalikes))
            if everyday > RISK_FALSE_POSITIVES or alike > RISK_LOOKALIKE_FALSE_POSITIVES:
                break
            chosen[label] = threshold
    return chosen


def train_model(
    embed: Embed,
    options: TrainOptions = SHIPPED,
    data_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> UnderstandingModel:
    """The model that ships: cross-validate for thresholds, then fit on all the data."""
    from copilot.understand.transfer import cross_validated, score

    data = TrainingData.load(data_dir)
    cache = EmbeddingCache(embed)
    if progress:
        progress("cross-validating by category groups")
    predictions, risk_scores = cross_validated(data, cache, options, with_risk=True)
    if progress:
        progress("fitting the final model")
    model = fit(data, cache, options)
    cv = score(predictions)
    risk = choose_risk_thresholds(risk_scores)
    model.metadata["thresholds"] = {
        "escalate_angry": choose_escalation_threshold(predictions),
        **{f"risk_{label}": threshold for label, threshold in risk.items()},
    }
    model.metadata["cross_validation"] = cv.model_dump(exclude={"per_intent"})
    return model
