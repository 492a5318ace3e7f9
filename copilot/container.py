"""The one place concrete backends are chosen and wired together."""

from copilot.config import Settings
from copilot.drafting.facts import FactExtractor
from copilot.drafting.grounding import Grounder
from copilot.drafting.offline import OfflineDrafter, load_phrasing
from copilot.drafting.products import ProductFinder
from copilot.index.chroma import ChromaStore
from copilot.index.embeddings import build_embeddings
from copilot.index.retriever import HybridRetriever
from copilot.service import Copilot
from copilot.understand.analyzer import MessageAnalyzer


def build_copilot(settings: Settings) -> Copilot:
    """A Copilot with the embeddings, store and drafters named by settings."""
    embeddings = build_embeddings(settings)
    store = ChromaStore(settings)
    retriever = HybridRetriever(
        store,
        embeddings,
        settings.rrf_k,
        settings.candidates,
        memory_limit=settings.memory_search_max,
    )
    phrasing = load_phrasing()
    grounder = Grounder(
        retriever,
        FactExtractor(retriever, phrasing),
        ProductFinder(retriever, phrasing),
        settings.gap_threshold,
        phrasing.get("category_tags", {}),
        phrasing.get("situational_tags", {}),
    )
    llm = None
    if settings.llm_enabled:
        from copilot.drafting.openai_compat import OpenAICompatDrafter
        from copilot.prompts import PromptLibrary

        llm = OpenAICompatDrafter(settings, PromptLibrary(settings.prompts_dir))
    return Copilot(
        settings,
        embeddings,
        store,
        retriever,
        MessageAnalyzer(embeddings),
        grounder,
        OfflineDrafter(phrasing),
        llm,
    )
