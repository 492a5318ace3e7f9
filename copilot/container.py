"""The one place concrete backends are chosen and wired together."""

from copilot.config import Settings
from copilot.index.chroma import ChromaStore
from copilot.index.embeddings import build_embeddings
from copilot.index.retriever import HybridRetriever
from copilot.service import Copilot


def build_copilot(settings: Settings) -> Copilot:
    """A Copilot with the embeddings and store named by settings."""
    embeddings = build_embeddings(settings)
    store = ChromaStore(settings)
    retriever = HybridRetriever(store, embeddings, settings.rrf_k, settings.candidates)
    return Copilot(settings, embeddings, store, retriever)
