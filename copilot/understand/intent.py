"""Offline intent classification: nearest labelled examples in embedding space plus lexical cues."""

from dataclasses import dataclass

import numpy as np

from copilot.datafiles import package_yaml
from copilot.index.embeddings import CopilotEmbeddings
from copilot.index.text import normalize
from copilot.knowledge.taxonomy import INTENTS

TOP_EXAMPLES = 3
CUE_BOOST = 0.06
MAX_CUE_BOOST = 0.12
# a message this short (in characters) leans on the customer's previous turn
SHORT_MESSAGE = 10
FOLLOW_UP_WEIGHT = 0.45


@dataclass(frozen=True)
class IntentResult:
    """The chosen intent, with the margin over the runner-up as a confidence signal."""

    intent: str
    score: float
    margin: float


class IntentClassifier:
    """Labelled examples from data/intents.yaml, embedded once with the copilot's own backend."""

    def __init__(self, embeddings: CopilotEmbeddings):
        spec = package_yaml("copilot.understand", "intents.yaml")["intents"]
        self.embeddings = embeddings
        self.labels = [intent for intent in INTENTS if intent in spec]
        self._cues = {
            intent: [normalize(str(cue)) for cue in spec[intent].get("cues", [])]
            for intent in self.labels
        }
        self._examples = [
            (intent, normalize(text)) for intent in self.labels for text in spec[intent]["examples"]
        ]
        self._vectors: np.ndarray | None = None
        self._owner = np.array([self.labels.index(i) for i, _ in self._examples])

    def _example_vectors(self) -> np.ndarray:
        if self._vectors is None:
            self._vectors = self.embeddings.encode([text for _, text in self._examples])
        return self._vectors

    def scores(self, text: str, vector: np.ndarray | None = None) -> np.ndarray:
        """One score per label: mean similarity of its closest examples plus a cue boost."""
        text = normalize(text)
        if vector is None:
            vector = self.embeddings.encode([text])[0]
        similarity = self._example_vectors() @ vector
        scores = np.empty(len(self.labels), dtype=np.float32)
        for position in range(len(self.labels)):
            own = np.sort(similarity[self._owner == position])[-TOP_EXAMPLES:]
            cues = sum(1 for cue in self._cues[self.labels[position]] if cue in text)
            scores[position] = float(own.mean()) + min(cues * CUE_BOOST, MAX_CUE_BOOST)
        return scores

    def classify(
        self,
        message: str,
        previous: str | None = None,
        vector: np.ndarray | None = None,
        joined_vector: np.ndarray | None = None,
    ) -> IntentResult:
        """Intent of message; a short follow-up is read together with the customer's last turn.

        joined_vector: an embedding of the two read together, if the caller has one.
        """
        scores = self.scores(message, vector)
        if previous and len(normalize(message).strip()) <= SHORT_MESSAGE:
            joined = self.scores(f"{previous}，{message}", joined_vector)
            scores = (1 - FOLLOW_UP_WEIGHT) * scores + FOLLOW_UP_WEIGHT * joined
        order = np.argsort(-scores)
        best, runner_up = int(order[0]), int(order[1])
        return IntentResult(
            intent=self.labels[best],
            score=float(scores[best]),
            margin=float(scores[best] - scores[runner_up]),
        )
