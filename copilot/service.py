"""The copilot's core, callable from Python; the HTTP API and CLI are thin layers over it."""

from copilot.config import Settings
from copilot.index.chroma import ChromaStore, ProgressCallback
from copilot.index.embeddings import CopilotEmbeddings
from copilot.index.ingest import IngestReport, ingest
from copilot.index.retriever import (
    DEFAULT_TYPES,
    HybridRetriever,
    Method,
    SearchFilters,
    SearchHit,
)


class Copilot:
    """Knowledge search today; understanding, drafting and compliance build on it."""

    def __init__(
        self,
        settings: Settings,
        embeddings: CopilotEmbeddings,
        store: ChromaStore,
        retriever: HybridRetriever,
    ):
        self.settings = settings
        self.embeddings = embeddings
        self.store = store
        self.retriever = retriever

    def ingest(self, progress: ProgressCallback | None = None) -> IngestReport:
        """Re-ingest the configured knowledge and make search use the new index."""
        report = ingest(self.settings, self.embeddings, self.store, progress)
        self.retriever.refresh()
        return report

    def search(
        self,
        query: str,
        k: int = 5,
        filters: SearchFilters | None = None,
        prefer_sku: str | None = None,
        method: Method = "hybrid",
    ) -> list[SearchHit]:
        """Ranked knowledge chunks for a customer question."""
        return self.retriever.search(query, k, filters, prefer_sku, method)

    def search_knowledge(
        self,
        query: str,
        k: int = 5,
        types: list[str] | None = None,
        sku: str | None = None,
        sku_only: bool = False,
        intent: str | None = None,
        stage: str | None = None,
    ) -> list[SearchHit]:
        """Search as agents ask it: a sku is preferred, or with sku_only the only one returned."""
        filters = SearchFilters(
            types=list(types or DEFAULT_TYPES),
            sku=sku if sku_only else None,
            intent=intent,
            stage=stage,
        )
        return self.search(query, k, filters, prefer_sku=None if sku_only else sku)

    def warm_up(self) -> None:
        """Load the index and models now, so the first request is as fast as the rest."""
        self.retriever.refresh()
        self.embeddings.encode(["你好"])
