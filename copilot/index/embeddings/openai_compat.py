"""Embeddings from any OpenAI-compatible endpoint (OpenAI, Qwen, vLLM, Ollama ...)."""

import numpy as np

from copilot.errors import EmbeddingError
from copilot.index.embeddings.base import CopilotEmbeddings, l2_normalise


class OpenAICompatEmbeddings(CopilotEmbeddings):
    """Wraps LangChain's OpenAIEmbeddings; errors become EmbeddingError with the endpoint named."""

    def __init__(self, model: str, base_url: str | None, api_key: str | None):
        from langchain_openai import OpenAIEmbeddings

        self.backend_id = f"openai:{model}"
        self._endpoint = base_url or "https://api.openai.com/v1"
        # check_embedding_ctx_length=False: tiktoken would download its encodings at run time.
        self._client = OpenAIEmbeddings(
            model=model,
            base_url=base_url,
            api_key=api_key or "not-needed",
            check_embedding_ctx_length=False,
            max_retries=1,
            timeout=30,
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts through the endpoint."""
        try:
            vectors = self._client.embed_documents(list(texts))
        except Exception as exc:  # noqa: BLE001 - openai raises many types; one meaning here
            raise EmbeddingError(
                f"embeddings endpoint {self._endpoint} failed for model "
                f"{self.backend_id.partition(':')[2]!r}: {exc}"
            ) from exc
        return l2_normalise(np.array(vectors, dtype=np.float32))
