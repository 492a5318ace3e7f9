"""The embeddings contract: a LangChain Embeddings that also names the backend that built it."""

from abc import abstractmethod

import numpy as np
from langchain_core.embeddings import Embeddings


class CopilotEmbeddings(Embeddings):
    """LangChain Embeddings plus the identity recorded in the index, and a numpy fast path."""

    backend_id: str

    @abstractmethod
    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed search documents (LangChain interface)."""
        return self.encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        """Embed a query (LangChain interface)."""
        return self.encode([text])[0].tolist()


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, so cosine and inner product agree."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
