"""Character and syllable n-grams with TF-IDF weights: the classifiers' lexical features.

Fitted once at training time; at serving time one message becomes a handful of (index, weight)
pairs in microseconds, without scikit-learn or scipy on the request path.
"""

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from copilot.understand.pinyin import syllables

MIN_N, MAX_N = 1, 3
MIN_DOCUMENT_FREQUENCY = 2


def _runs(units: Sequence[str], joiner: str) -> Counter:
    """Counts of the runs of MIN_N to MAX_N consecutive units, joined."""
    grams: Counter = Counter()
    for n in range(MIN_N, MAX_N + 1):
        for start in range(len(units) - n + 1):
            grams[joiner.join(units[start : start + n])] += 1
    return grams


def char_ngrams(text: str) -> Counter:
    """Counts of the 1- to 3-character substrings of prepared text (spaces included)."""
    return _runs(text, "")


def syllable_ngrams(text: str) -> Counter:
    """Counts of runs of 1 to 3 pinyin syllables of prepared text ("tui kuan")."""
    return _runs(syllables(text), " ")


class NgramSpace:
    """A fitted n-gram vocabulary with inverse document frequencies (sublinear tf, l2 rows)."""

    @staticmethod
    def grams(text: str) -> Counter:
        """The n-grams this space counts."""
        return char_ngrams(text)

    def __init__(self, vocabulary: list[str], idf: np.ndarray):
        self.vocabulary = vocabulary
        self.index = {gram: position for position, gram in enumerate(vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)

    @classmethod
    def fit(cls, texts: Iterable[str]) -> "NgramSpace":
        """Vocabulary of n-grams seen in at least two texts, sorted (deterministic)."""
        texts = list(texts)
        document_frequency: Counter = Counter()
        for text in texts:
            document_frequency.update(cls.grams(text).keys())
        vocabulary = sorted(
            g for g, df in document_frequency.items() if df >= MIN_DOCUMENT_FREQUENCY
        )
        total = len(texts)
        idf = [math.log((1 + total) / (1 + document_frequency[g])) + 1 for g in vocabulary]
        return cls(vocabulary, np.array(idf, dtype=np.float32))

    @property
    def size(self) -> int:
        """Number of n-gram features."""
        return len(self.vocabulary)

    def encode(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(indices, weights) of a prepared text: sublinear tf x idf, scaled to unit length."""
        pairs = [
            (self.index[g], 1.0 + math.log(c))
            for g, c in self.grams(text).items()
            if g in self.index
        ]
        if not pairs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        indices = np.fromiter((p for p, _ in pairs), dtype=np.int64, count=len(pairs))
        weights = np.fromiter((w for _, w in pairs), dtype=np.float32, count=len(pairs))
        weights *= self.idf[indices]
        weights /= max(float(np.linalg.norm(weights)), 1e-12)
        return indices, weights

    def matrix(self, texts: list[str]):
        """A scipy CSR matrix of many texts (training only)."""
        from scipy.sparse import csr_matrix

        rows, cols, values = [], [], []
        for row, text in enumerate(texts):
            indices, weights = self.encode(text)
            rows.extend([row] * len(indices))
            cols.extend(indices.tolist())
            values.extend(weights.tolist())
        return csr_matrix(
            (np.array(values, dtype=np.float32), (rows, cols)), shape=(len(texts), self.size)
        )


class SyllableSpace(NgramSpace):
    """N-grams of how the text sounds: homophones and typed pinyin share them with characters."""

    @staticmethod
    def grams(text: str) -> Counter:
        """The n-grams this space counts."""
        return syllable_ngrams(text)
