"""The specific sentence a chunk contributes to a reply.

That is the FAQ answer, the rule sentence that matches the question, or the product attribute
asked about.
"""

import re

import numpy as np

from copilot.compliance.guard import sentences
from copilot.index.retriever import HybridRetriever
from copilot.index.text import normalize
from copilot.knowledge.models import Chunk

_SENTENCE = re.compile(r"[^。！？!?；\n]+[。！？!?；]?")
SHORT_SENTENCE = 16
LEAD_BONUS = 0.1
NEIGHBOUR_MARGIN = 0.06
MAX_FACT_CHARS = 120
PRICE_WORDS = ("多少钱", "价格", "价钱", "几块", "售价")
COVERAGE_WEIGHT = 0.3
MAX_CACHED_SENTENCES = 20_000


def draft_sentences(text: str) -> list[str]:
    """A draft's text in sentences, each with its closing punctuation; joined they are the text.

    The ～ that closes a greeting ("亲，您好～") ends a sentence too.
    """
    return sentences(text, also_ending="～")


def finish(sentence: str) -> str:
    """A sentence with closing punctuation (；becomes 。 when it ends a draft's clause)."""
    sentence = sentence.strip().rstrip("；;，,")
    return sentence if sentence.endswith(("。", "！", "？", "～", "!", "?")) else sentence + "。"


class FactExtractor:
    """Picks the part of a chunk that answers the question, in words a customer reads easily."""

    def __init__(self, retriever: HybridRetriever, phrasing: dict):
        self.retriever = retriever
        self.phrasing = phrasing
        self.aliases: dict[str, list[str]] = {
            key: [normalize(str(a)) for a in aliases]
            for key, aliases in phrasing["attribute_aliases"].items()
        }
        self._vectors: dict[str, np.ndarray] = {}
        self._tokens: dict[str, frozenset[str]] = {}

    def sentence(self, chunk: Chunk, question: str, vector: np.ndarray | None = None) -> str:
        """The part of a chunk that answers a question (vector: the question's embedding)."""
        if chunk.type == "faq":
            return finish(chunk.text.split("答：", 1)[-1])
        if chunk.type == "product":
            return self._product(chunk, question, vector)
        body = chunk.text.split("\n", 1)[-1] if chunk.type == "rule" else chunk.text
        return self._best_sentences(body, question, vector)

    def _words(self, sentence: str) -> frozenset[str]:
        words = self._tokens.get(sentence)
        if words is None:
            if len(self._tokens) > MAX_CACHED_SENTENCES:
                self._tokens.clear()
            words = self._tokens[sentence] = frozenset(self.retriever.tokens(sentence))
        return words

    def _sentence_vectors(self, pieces: list[str]) -> np.ndarray:
        missing = [p for p in pieces if p not in self._vectors]
        if missing:
            encoded = self.retriever.embeddings.encode([normalize(p) for p in missing])
            if len(self._vectors) > MAX_CACHED_SENTENCES:
                self._vectors.clear()
            self._vectors.update(zip(missing, encoded, strict=True))
        return np.stack([self._vectors[p] for p in pieces])

    def _best_sentences(self, body: str, question: str, vector: np.ndarray | None) -> str:
        """The sentence closest in meaning and rare words to the question.

        A rule's first sentence, which states the rule, gets a small head start.
        """
        pieces = [p.strip() for p in _SENTENCE.findall(body) if p.strip()]
        if len(pieces) <= 1:
            return finish(body)
        if vector is None:
            vector = self.retriever.encode_query(question)
        weights = {t: self.retriever.idf(t) for t in set(self.retriever.tokens(question))}
        total = sum(weights.values()) or 1.0
        similarity = self._sentence_vectors(pieces) @ vector
        scores = []
        for position, piece in enumerate(pieces):
            words = self._words(piece)
            coverage = sum(w for t, w in weights.items() if t in words) / total
            lead = LEAD_BONUS if position == 0 else 0.0
            scores.append(float(similarity[position]) + COVERAGE_WEIGHT * coverage + lead)
        best = max(range(len(pieces)), key=lambda i: scores[i])
        chosen = {best}
        for near in (best - 1, best + 1):  # a neighbour that matters nearly as much completes it
            if 0 <= near < len(pieces) and scores[near] >= scores[best] - NEIGHBOUR_MARGIN:
                if sum(len(pieces[i]) for i in chosen) + len(pieces[near]) <= MAX_FACT_CHARS:
                    chosen.add(near)
        if len(pieces[best]) < SHORT_SENTENCE and best + 1 < len(pieces):
            chosen.add(best + 1)
        return "".join(finish(pieces[i]) for i in sorted(chosen))

    def attribute_answer(self, chunk: Chunk, question: str, template: str = "attribute_answer"):
        """The product attribute the question asks about, as a sentence; None if none is asked.

        template: the phrasing key the sentence is written with ({name}, {key}, {value}).
        """
        name, attributes, _ = self._parse_product(chunk)
        asked = normalize(question)
        for key, value in attributes.items():
            if key in ("类目", "价格"):
                continue
            if key in asked or any(alias in asked for alias in self.aliases.get(key, ())):
                return self.phrasing[template].format(name=name, key=key, value=value)
        if "价格" in attributes and any(w in asked for w in PRICE_WORDS):
            return self.phrasing[template].format(name=name, key="价格", value=attributes["价格"])
        return None

    @staticmethod
    def _parse_product(chunk: Chunk) -> tuple[str, dict[str, str], list[str]]:
        lines = chunk.text.split("\n")
        attributes: dict[str, str] = {}
        prose: list[str] = []
        for line in lines[1:]:
            key, sep, value = line.partition("：")
            if sep and len(key) <= 8:
                attributes[key] = value
            else:
                prose.append(line)
        return chunk.title or lines[0], attributes, prose

    def _product(self, chunk: Chunk, question: str, vector: np.ndarray | None) -> str:
        answer = self.attribute_answer(chunk, question)
        if answer:
            return answer
        name, _, prose = self._parse_product(chunk)
        if prose:
            lead = self.phrasing["product_lead"].format(name=name)
            return finish(
                lead + "，" + self._best_sentences(" ".join(prose), question, vector).rstrip("。")
            )
        return finish(chunk.text.split("\n")[0])
