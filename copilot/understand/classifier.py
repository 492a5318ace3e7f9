"""Reading one message with the trained model: intent with its confidence, emotion, risk.

Serving and evaluation share this path: prepare the text, mask the shop's product words, embed,
run the heads. A short follow-up ("还是不行") is also read together with the customer's previous
turn, and the two readings are mixed.
"""

from dataclasses import dataclass

import numpy as np

from copilot.understand.model import UnderstandingModel
from copilot.understand.textprep import model_text, prepare
from copilot.understand.training import join_turns
from copilot.understand.vocabulary import ProductVocabulary

# a message this short (in characters) leans on the customer's previous turn
SHORT_MESSAGE = 10
FOLLOW_UP_WEIGHT = 0.5


@dataclass(frozen=True)
class Reading:
    """What the model reads in a message; probabilities per label."""

    intent: str
    confidence: float
    intents: dict[str, float]
    emotion: str
    emotions: dict[str, float]
    risks: dict[str, float]

    def ranked(self) -> list[str]:
        """Intents from the most to the least likely."""
        return sorted(self.intents, key=self.intents.__getitem__, reverse=True)


def is_follow_up(message: str, previous: str | None) -> bool:
    """A short message after an earlier customer turn, which it only makes sense with."""
    return bool(previous) and len(prepare(message)) <= SHORT_MESSAGE


class MessageClassifier:
    """The model's heads applied to prepared, masked text."""

    def __init__(self, model: UnderstandingModel):
        self.model = model

    def texts(self, message: str, previous: str | None, vocabulary: ProductVocabulary) -> list[str]:
        """What to embed for this message: the masked message (and the masked follow-up pair)."""
        texts = [vocabulary.mask(model_text(message))]
        if previous and is_follow_up(message, previous):
            texts.append(vocabulary.mask(model_text(join_turns(previous, message))))
        return texts

    def read(self, texts: list[str], vectors: np.ndarray) -> Reading:
        """The reading of texts() and their embeddings."""
        readings = [
            self.model.features(text, vector) for text, vector in zip(texts, vectors, strict=True)
        ]
        intents = self._mix("intent", readings)
        emotions = self._mix("emotion", readings)
        risks = self.model.predict("risk", readings[0])
        intent = max(intents, key=intents.__getitem__)
        return Reading(
            intent=intent,
            confidence=round(intents[intent], 4),
            intents=intents,
            emotion=max(emotions, key=emotions.__getitem__),
            emotions=emotions,
            risks=risks,
        )

    def _mix(self, head: str, readings) -> dict[str, float]:
        alone = self.model.predict(head, readings[0])
        if len(readings) == 1:
            return alone
        joined = self.model.predict(head, readings[1])
        return {
            label: (1 - FOLLOW_UP_WEIGHT) * alone[label] + FOLLOW_UP_WEIGHT * joined[label]
            for label in alone
        }
