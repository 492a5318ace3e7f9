"""sentence-transformers backend for teams with a Chinese model (e.g. a bge-zh model) on disk."""

import numpy as np

from copilot.errors import EmbeddingError
from copilot.index.embeddings.base import CopilotEmbeddings


class SentenceTransformerEmbeddings(CopilotEmbeddings):
    """Loads a model by name or local path from local files only: nothing is downloaded."""

    def __init__(self, model: str):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingError(
                "the sentence-transformers backend needs the 'st' extra: "
                "pip install torch==2.13.0 && pip install 'reply-copilot[st]'"
            ) from exc
        self.backend_id = f"sentence-transformers:{model}"
        try:
            self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - any load failure means the same thing here
            raise EmbeddingError(
                f"cannot load sentence-transformers model {model!r} from local files ({exc}); "
                "give a local model directory or a model already in the Hugging Face cache"
            ) from exc

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts, normalised so cosine distances are comparable."""
        vectors = self._model.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, batch_size=64
        )
        return np.asarray(vectors, dtype=np.float32)
