"""The hybrid retriever as a LangChain BaseRetriever, for chains and agents built on LangChain."""

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from copilot.index.retriever import HybridRetriever, SearchFilters


class KnowledgeRetriever(BaseRetriever):
    """Returns Documents whose metadata carries the chunk id, type, source, sku and fused score."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    k: int = 5
    filters: SearchFilters | None = None
    prefer_sku: str | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.retriever.search(query, self.k, self.filters, self.prefer_sku)
        return [
            Document(
                id=hit.id,
                page_content=hit.text,
                metadata=hit.model_dump(exclude={"text"}),
            )
            for hit in hits
        ]
