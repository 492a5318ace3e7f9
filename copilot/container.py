"""The one place concrete backends are chosen and wired together."""

from copilot.config import Settings
from copilot.drafting.facts import FactExtractor
from copilot.drafting.grounding import Grounder
from copilot.drafting.offline import OfflineDrafter, load_phrasing
from copilot.drafting.playbook import load_playbook
from copilot.drafting.products import ProductFinder
from copilot.index.chroma import ChromaStore
from copilot.index.embeddings import CopilotEmbeddings, build_embeddings
from copilot.index.embeddings.use_multilingual import UseMultilingualEmbeddings
from copilot.index.retriever import HybridRetriever
from copilot.service import Copilot
from copilot.understand.analyzer import MessageAnalyzer
from copilot.understand.model import UnderstandingModel


def understanding_encoder(settings: Settings, embeddings: CopilotEmbeddings) -> CopilotEmbeddings:
    """The embeddings the understanding model was trained on (use-multilingual).

    With the default backend the one already loaded is shared, so a draft embeds its question
    and its classifier texts in one batch; other backends get their own encoder.
    """
    if embeddings.backend_id == UseMultilingualEmbeddings.backend_id:
        return embeddings
    return UseMultilingualEmbeddings(threads=settings.embedding_threads)


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
    analyzer = MessageAnalyzer(
        understanding_encoder(settings, embeddings),
        UnderstandingModel.load(),
        catalog=retriever.product_texts,
    )
    phrasing = load_phrasing()
    grounder = Grounder(
        retriever,
        FactExtractor(retriever, phrasing),
        ProductFinder(retriever, phrasing),
        settings.gap_threshold,
        phrasing.get("category_tags", {}),
        phrasing.get("situational_tags", {}),
        load_playbook(settings.knowledge_dir, phrasing.get("situational_tags", {})),
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
        analyzer,
        grounder,
        OfflineDrafter(phrasing),
        llm,
    )
