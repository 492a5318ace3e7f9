"""The sentences a draft may quote from a rule or a script, split one way for ingest and drafts.

A draft quotes the sentence of a rule that answers the question, chosen by meaning, so each
sentence needs an embedding. Computed lazily, a deployment of many shops pays for them request
after request in every shop; ingest computes them once and stores them with the chunk.
"""

import base64
import re

import numpy as np

from copilot.knowledge.models import Chunk

_SENTENCE = re.compile(r"[^。！？!?；\n]+[。！？!?；]?")
# bumped when the splitting or the stored form changes: the next ingest rewrites every chunk
SENTENCES_VERSION = 1


def pieces(body: str) -> list[str]:
    """The sentences of a text, stripped, in order."""
    return [p.strip() for p in _SENTENCE.findall(body) if p.strip()]


def quotable_body(chunk: Chunk) -> str | None:
    """The part of a rule (its text under the heading) or a script that drafts quote from."""
    if chunk.type == "rule":
        return chunk.text.split("\n", 1)[-1]
    if chunk.type == "script":
        return chunk.text
    return None


def encode_vectors(vectors: np.ndarray) -> str:
    """Sentence vectors as text for Chroma metadata: `DIM:` then float32 rows in base64.

    Full precision: drafts choose the same sentence as with vectors computed on the spot.
    """
    rows = np.asarray(vectors, dtype=np.float32)
    return f"{rows.shape[1]}:" + base64.b64encode(rows.tobytes()).decode("ascii")


def decode_vectors(chunk: Chunk, stored: str) -> dict[str, np.ndarray]:
    """The stored vectors of a chunk's sentences by sentence ({} when they do not fit)."""
    body = quotable_body(chunk)
    if body is None:
        return {}
    split = pieces(body)
    dim, _, data = stored.partition(":")
    try:
        flat = np.frombuffer(base64.b64decode(data, validate=True), dtype=np.float32)
        dim = int(dim)
    except ValueError:
        return {}
    if not split or flat.size != dim * len(split):
        return {}
    return dict(zip(split, flat.reshape(len(split), dim), strict=True))
