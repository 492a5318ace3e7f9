"""Embedding backends, chosen in one place by the COPILOT_EMBEDDINGS spec and imported lazily."""

from copilot.config import Settings
from copilot.index.embeddings.base import CopilotEmbeddings


def build_embeddings(settings: Settings) -> CopilotEmbeddings:
    """The embedding backend named by settings.embeddings, as a LangChain Embeddings."""
    kind, _, model = settings.embeddings.partition(":")
    match kind:
        case "use-multilingual":
            from copilot.index.embeddings.use_multilingual import UseMultilingualEmbeddings

            return UseMultilingualEmbeddings(threads=settings.embedding_threads)
        case "sentence-transformers":
            from copilot.index.embeddings.sentence_transformer import (
                SentenceTransformerEmbeddings,
            )

            return SentenceTransformerEmbeddings(model)
        case "openai":
            from copilot.index.embeddings.openai_compat import OpenAICompatEmbeddings

            return OpenAICompatEmbeddings(
                model, base_url=settings.openai_base_url, api_key=settings.openai_api_key
            )
    raise AssertionError(f"unreachable: settings validate the backend kind {kind!r}")


__all__ = ["CopilotEmbeddings", "build_embeddings"]
