"""One pass over a draft request: intent, stage, emotion, urgency, risk flags and escalation."""

import re
from dataclasses import dataclass

import numpy as np

from copilot.index.embeddings import CopilotEmbeddings
from copilot.index.text import normalize
from copilot.schemas import Analysis, DraftRequest
from copilot.understand.emotion import EmotionReading, read_emotion
from copilot.understand.escalation import decide_escalation
from copilot.understand.intent import SHORT_MESSAGE, IntentClassifier
from copilot.understand.risk import detect_flags
from copilot.understand.signals import load_signals
from copilot.understand.stage import infer_stage

MOOD_KINDS = ("insults", "threats", "displeasure", "anxiety", "compensation", "repeats")
MIN_CONTENT_CHARS = 2
_PUNCTUATION_RUN = re.compile(r"[!！?？~～.。,，]{2,}")


@dataclass
class Understanding:
    """The analysis for the response plus what drafting needs from it."""

    analysis: Analysis
    reading: EmotionReading
    query: str  # what to search the knowledge with (a short follow-up includes the last turn)
    earlier_customer_turns: list[str]


def _previous_customer_turn(request: DraftRequest) -> str | None:
    return next((t.text for t in reversed(request.history) if t.role == "customer"), None)


class MessageAnalyzer:
    """Offline understanding of a customer's message in its conversation."""

    def __init__(self, embeddings: CopilotEmbeddings):
        self.classifier = IntentClassifier(embeddings)
        self.signals = load_signals()

    def warm_up(self) -> None:
        """Embed the labelled examples now rather than on the first request."""
        self.classifier.scores("你好")

    def retrieval_query(self, request: DraftRequest) -> str:
        """What to search the knowledge with.

        The message without its feelings, read together with the customer's previous turn when
        it is a short follow-up.
        """
        previous = _previous_customer_turn(request)
        content = self.content_of(request.message)
        if previous and len(normalize(request.message).strip()) <= SHORT_MESSAGE:
            return f"{self.content_of(previous)}，{content}"
        return content

    def analyze(
        self,
        request: DraftRequest,
        vector: np.ndarray | None = None,
        query: str | None = None,
        query_vector: np.ndarray | None = None,
    ) -> Understanding:
        """Everything the agent sees about the message.

        vector: the message's embedding; query and query_vector: retrieval_query() and its
        embedding, which also stand for a short follow-up read with the previous turn.
        """
        customer_turns = [turn.text for turn in request.history if turn.role == "customer"]
        previous = customer_turns[-1] if customer_turns else None
        text = normalize(request.message)
        query = query or self.retrieval_query(request)
        result = self.classifier.classify(request.message, previous, vector, query_vector)
        status = request.order.status if request.order else None
        context = f"{normalize(previous)} {text}" if previous else text
        stage = infer_stage(result.intent, context, status, self.signals)
        reading = read_emotion(
            text, [normalize(t) for t in customer_turns], result.intent, status, self.signals
        )
        flags = detect_flags(request.message)
        vip = bool(request.customer and request.customer.tier == "vip")
        analysis = Analysis(
            intent=result.intent,
            stage=stage,
            emotion=reading.emotion,
            urgency=reading.urgency,
            escalate=decide_escalation(reading, flags, vip),
            flags=flags,
        )
        return Understanding(analysis, reading, query, customer_turns)

    def content_of(self, message: str) -> str:
        """The message without feelings, threats and pleas: what the knowledge should match."""
        text = normalize(message)
        for kind in MOOD_KINDS:
            for word in self.signals.found(kind, text):
                text = text.replace(word, " ")
        text = _PUNCTUATION_RUN.sub(" ", text).strip()
        return text if len(text) >= MIN_CONTENT_CHARS else message
