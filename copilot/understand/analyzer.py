"""One pass over a draft request: intent and confidence, stage, emotion, urgency, flags.

Escalation too; all of it read by the trained model with the shop's product words masked.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from copilot.index.embeddings import CopilotEmbeddings
from copilot.index.text import normalize
from copilot.schemas import Analysis, DraftRequest
from copilot.understand.classifier import MessageClassifier, Reading, is_follow_up
from copilot.understand.emotion import CUE_KINDS, EmotionReading, read_emotion
from copilot.understand.escalation import decide_escalation
from copilot.understand.model import UnderstandingModel
from copilot.understand.risk import RISK_AT, detect_flags
from copilot.understand.signals import load_signals
from copilot.understand.stage import infer_stage
from copilot.understand.textprep import model_text
from copilot.understand.vocabulary import (
    EMPTY_VOCABULARY,
    ProductVocabulary,
    terms_from_product_chunks,
)

# cue words that carry the customer's feelings, not what the message is about (waiting and
# safety words say what happened, so the knowledge search keeps them)
MOOD_KINDS = tuple(kind for kind in CUE_KINDS if kind not in ("waiting", "safety"))
MIN_CONTENT_CHARS = 2
# default P(angry) from which a person takes over (the model file records the one it was trained
# with, chosen on the training data's cross-validation)
ESCALATE_AT = 0.35
_PUNCTUATION_RUN = re.compile(r"[!！?？~～.。,，]{2,}")
Catalog = Callable[[], tuple[str, ...]]


@dataclass
class Understanding:
    """The analysis for the response plus what drafting needs from it."""

    analysis: Analysis
    reading: EmotionReading
    query: str  # what to search the knowledge with (a short follow-up includes the last turn)
    earlier_customer_turns: list[str]
    classified: Reading | None = None
    # what the latest message itself asks (query without the previous turn a follow-up reads with)
    asked: str = ""


def _previous_customer_turn(request: DraftRequest) -> str | None:
    return next((t.text for t in reversed(request.history) if t.role == "customer"), None)


class MessageAnalyzer:
    """Offline understanding of a customer's message in its conversation.

    encoder: the embeddings the model was trained with (use-multilingual); catalog: the shop's
    product chunk texts, read again whenever they change, for masking product words.
    """

    def __init__(
        self,
        encoder: CopilotEmbeddings,
        model: UnderstandingModel,
        catalog: Catalog | None = None,
    ):
        self.encoder = encoder
        self.model = model
        self.classifier = MessageClassifier(model)
        self.signals = load_signals()
        self.escalate_at = model.threshold("escalate_angry", ESCALATE_AT)
        self.risk_at = {
            label: model.threshold(f"risk_{label}", RISK_AT)
            for label in ("prompt_injection", "phishing")
        }
        self._catalog = catalog
        self._vocabulary: tuple[tuple[str, ...], ProductVocabulary] = ((), EMPTY_VOCABULARY)

    def vocabulary(self) -> ProductVocabulary:
        """The shop's product words, rebuilt when the catalog hands out a new set of texts.

        The catalog returns the same tuple until its index is reloaded; holding it here keeps
        the identity check sound.
        """
        texts = self._catalog() if self._catalog else ()
        if texts is not self._vocabulary[0]:
            terms = terms_from_product_chunks(texts)
            self._vocabulary = (texts, ProductVocabulary(terms, self.model.protected))
        return self._vocabulary[1]

    def topics(self, texts: list[str]) -> list[tuple[str, float]]:
        """The intent each text is about, with its probability (knowledge read like a question).

        A rule section titled 未发货退款 is about refunds: the same model that reads customers
        says which questions a piece of knowledge answers.
        """
        if not texts:
            return []
        vocabulary = self.vocabulary()
        prepared = [vocabulary.mask(model_text(text)) for text in texts]
        vectors = self.encoder.encode(prepared)
        return [
            (reading.intent, reading.confidence)
            for reading in (
                self.classifier.read([text], vector[None, :])
                for text, vector in zip(prepared, vectors, strict=True)
            )
        ]

    def warm_up(self) -> None:
        """Build the vocabulary and run the model once before the first request."""
        self.analyze(DraftRequest(message="你好"))

    def retrieval_query(self, request: DraftRequest) -> str:
        """What to search the knowledge with.

        The message without its feelings, read together with the customer's previous turn when
        it is a short follow-up.
        """
        previous = _previous_customer_turn(request)
        content = self.content_of(request.message)
        if previous and is_follow_up(request.message, previous):
            return f"{self.content_of(previous)}，{content}"
        return content

    def classifier_texts(self, request: DraftRequest) -> list[str]:
        """The texts the model reads (embed them with the encoder, in one batch if you can)."""
        previous = _previous_customer_turn(request)
        return self.classifier.texts(request.message, previous, self.vocabulary())

    def analyze(
        self,
        request: DraftRequest,
        query: str | None = None,
        vectors: np.ndarray | None = None,
        texts: list[str] | None = None,
    ) -> Understanding:
        """Everything the agent sees about the message.

        texts and vectors: classifier_texts() and their embeddings, if the caller already
        embedded them together with its own queries.
        """
        customer_turns = [turn.text for turn in request.history if turn.role == "customer"]
        previous = customer_turns[-1] if customer_turns else None
        text = normalize(request.message)
        query = query or self.retrieval_query(request)
        if texts is None or vectors is None:
            texts = self.classifier_texts(request)
            vectors = self.encoder.encode(texts)
        classified = self.classifier.read(texts, vectors)
        status = request.order.status if request.order else None
        context = f"{normalize(previous)} {text}" if previous else text
        stage = infer_stage(classified.intent, context, status, self.signals)
        reading = read_emotion(
            classified.emotions,
            text,
            [normalize(t) for t in customer_turns],
            classified.intent,
            status,
            self.signals,
            self.escalate_at,
        )
        flags = detect_flags(request.message, classified.risks, self.risk_at)
        vip = bool(request.customer and request.customer.tier == "vip")
        analysis = Analysis(
            intent=classified.intent,
            confidence=classified.confidence,
            stage=stage,
            emotion=reading.emotion,
            urgency=reading.urgency,
            escalate=decide_escalation(reading, flags, vip),
            flags=flags,
        )
        asked = self.content_of(request.message)
        return Understanding(analysis, reading, query, customer_turns, classified, asked)

    def content_of(self, message: str) -> str:
        """The message without feelings, threats and pleas: what the knowledge should match."""
        text = normalize(message)
        for kind in MOOD_KINDS:
            for word in self.signals.found(kind, text):
                text = text.replace(word, " ")
        text = _PUNCTUATION_RUN.sub(" ", text).strip()
        return text if len(text) >= MIN_CONTENT_CHARS else message
