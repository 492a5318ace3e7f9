"""The trained understanding model: linear heads over a sentence embedding, char and sound n-grams.

One file (copilot/understand/model/understanding.npz) holds the n-gram vocabulary, every head's
weights, the words never masked as product words and the metadata of the training run. It is
written byte-for-byte deterministically and loaded once at start.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from copilot.errors import ModelMissingError
from copilot.understand.features import NgramSpace, SyllableSpace

MODEL_PATH = Path(__file__).resolve().parent / "model" / "understanding.npz"
EMBEDDING_DIM = 512
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Features:
    """One message's features: its embedding and its n-gram (indices, weights)."""

    vector: np.ndarray
    indices: np.ndarray
    weights: np.ndarray


@dataclass
class LinearHead:
    """Softmax over labels: weights[:, :512] for the embedding, the rest for n-grams.

    The n-gram columns are the character n-grams, then (when the model has them) the syllable
    n-grams.
    """

    labels: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray

    def probabilities(self, features: Features, embedding_weight: float) -> np.ndarray:
        """One probability per label."""
        dense = self.weights[:, :EMBEDDING_DIM] @ (features.vector * embedding_weight)
        sparse = self.weights[:, EMBEDDING_DIM + features.indices] @ features.weights
        logits = dense + sparse + self.bias
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()


@dataclass
class UnderstandingModel:
    """Every head plus what reading a message needs (n-grams, protected words, settings)."""

    ngrams: NgramSpace
    heads: dict[str, LinearHead]
    protected: frozenset[str]
    embedding_weight: float
    metadata: dict = field(default_factory=dict)
    sounds: SyllableSpace | None = None
    sound_weight: float = 0.0

    def features(self, prepared: str, vector: np.ndarray) -> Features:
        """Features of a prepared, masked text and its embedding."""
        indices, weights = self.ngrams.encode(prepared)
        if self.sounds is not None:
            sound_indices, sound_weights = self.sounds.encode(prepared)
            indices = np.concatenate([indices, sound_indices + self.ngrams.size])
            weights = np.concatenate([weights, sound_weights * self.sound_weight])
        return Features(np.asarray(vector, dtype=np.float32), indices, weights)

    def predict(self, head: str, features: Features) -> dict[str, float]:
        """Label -> probability for one head."""
        model = self.heads[head]
        probs = model.probabilities(features, self.embedding_weight)
        return {label: float(p) for label, p in zip(model.labels, probs, strict=True)}

    def threshold(self, name: str, default: float) -> float:
        """A decision threshold chosen at training time (on the training data only)."""
        return float(self.metadata.get("thresholds", {}).get(name, default))

    # -- file format -------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the model; the same model always gives the same bytes."""
        arrays = {
            "ngram_vocabulary": np.array(self.ngrams.vocabulary, dtype=np.str_),
            "ngram_idf": self.ngrams.idf.astype(np.float32),
            "protected": np.array(sorted(self.protected), dtype=np.str_),
        }
        if self.sounds is not None:
            arrays["sound_vocabulary"] = np.array(self.sounds.vocabulary, dtype=np.str_)
            arrays["sound_idf"] = self.sounds.idf.astype(np.float32)
        for name, head in self.heads.items():
            arrays[f"head.{name}.weights"] = head.weights.astype(np.float32)
            arrays[f"head.{name}.bias"] = head.bias.astype(np.float32)
            arrays[f"head.{name}.labels"] = np.array(head.labels, dtype=np.str_)
        meta = {
            **self.metadata,
            "embedding_weight": self.embedding_weight,
            "sound_weight": self.sound_weight,
        }
        arrays["metadata"] = np.array(json.dumps(meta, ensure_ascii=False, sort_keys=True))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(arrays):
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, arrays[name], allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, buffer.getvalue())
        partial.replace(path)  # readers never see a half-written model

    @classmethod
    def load(cls, path: Path | None = None) -> "UnderstandingModel":
        """Read a model file; a missing or broken file says how to rebuild it."""
        path = path or MODEL_PATH
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
        except (OSError, ValueError, zipfile.BadZipFile, KeyError) as exc:
            raise ModelMissingError(
                f"understanding model {path} is missing or unreadable ({exc}); "
                "rebuild it with `copilot train`"
            ) from exc
        meta = json.loads(str(arrays["metadata"]))
        heads = {
            name.split(".")[1]: LinearHead(
                tuple(str(label) for label in arrays[f"head.{name.split('.')[1]}.labels"]),
                arrays[f"head.{name.split('.')[1]}.weights"],
                arrays[f"head.{name.split('.')[1]}.bias"],
            )
            for name in arrays
            if name.startswith("head.") and name.endswith(".weights")
        }
        sounds = None
        if "sound_vocabulary" in arrays:
            vocabulary = [str(g) for g in arrays["sound_vocabulary"]]
            sounds = SyllableSpace(vocabulary, arrays["sound_idf"])
        return cls(
            NgramSpace([str(g) for g in arrays["ngram_vocabulary"]], arrays["ngram_idf"]),
            heads,
            frozenset(str(word) for word in arrays["protected"]),
            float(meta.pop("embedding_weight")),
            meta,
            sounds,
            float(meta.pop("sound_weight", 0.0)),
        )
