"""The one place concrete backends are chosen and wired together."""

import threading

from copilot.compliance.guard import ComplianceGuard
from copilot.compliance.lexicon import load_lexicon
from copilot.config import Settings
from copilot.drafting.facts import FactExtractor
from copilot.drafting.grounding import Grounder
from copilot.drafting.offline import OfflineDrafter, load_phrasing
from copilot.drafting.playbook import load_playbook
from copilot.drafting.products import ProductFinder
from copilot.errors import ConfigError
from copilot.feedback.store import FeedbackStore
from copilot.index.chroma import ChromaConnection, ChromaStore
from copilot.index.embeddings import CopilotEmbeddings, build_embeddings
from copilot.index.embeddings.use_multilingual import UseMultilingualEmbeddings
from copilot.index.retriever import HybridRetriever
from copilot.index.text import ChineseTokenizer
from copilot.service import FEEDBACK_FILE, Copilot
from copilot.shops import ShopHub
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


class CopilotFactory:
    """Builds one Copilot per shop around the parts every shop shares.

    The embeddings, the understanding model, the phrasing tables, the Chroma client and the
    feedback database are loaded once per process; a shop adds only its index, lexicon,
    playbook and drafters.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.embeddings = build_embeddings(settings)
        self.connection = ChromaConnection(settings)
        self.encoder = understanding_encoder(settings, self.embeddings)
        self.model = UnderstandingModel.load()
        self.phrasing = load_phrasing()
        self._feedback: FeedbackStore | None = None
        self._lock = threading.Lock()

    def feedback(self) -> FeedbackStore:
        """The one feedback database of the deployment, opened on first use."""
        with self._lock:
            if self._feedback is None:
                self._feedback = FeedbackStore(self.settings.data_dir / FEEDBACK_FILE)
            return self._feedback

    def warm_up(self) -> None:
        """Load what every shop shares now, so no shop's first request pays for it."""
        self.embeddings.encode(["你好"])
        MessageAnalyzer(self.encoder, self.model).warm_up()
        ChineseTokenizer()  # jieba's shared dictionary
        ComplianceGuard(load_lexicon()).check("加我薇信，全网最低价")  # folding, sound tables

    def build(self, settings: Settings) -> Copilot:
        """A Copilot for the shop whose knowledge dir and collection `settings` name."""
        store = ChromaStore(settings, self.connection)
        retriever = HybridRetriever(
            store,
            self.embeddings,
            settings.rrf_k,
            settings.candidates,
            memory_limit=settings.memory_search_max,
        )
        analyzer = MessageAnalyzer(self.encoder, self.model, catalog=retriever.product_texts)
        phrasing = self.phrasing
        grounder = Grounder(
            retriever,
            FactExtractor(retriever, phrasing),
            ProductFinder(retriever, phrasing),
            settings.gap_threshold,
            phrasing.get("category_tags", {}),
            phrasing.get("situational_tags", {}),
            load_playbook(settings.knowledge_dir, phrasing.get("situational_tags", {})),
            analyzer.topics,
        )
        llm = None
        if settings.llm_enabled:
            from copilot.drafting.openai_compat import OpenAICompatDrafter
            from copilot.prompts import PromptLibrary

            llm = OpenAICompatDrafter(settings, PromptLibrary(settings.prompts_dir))
        return Copilot(
            settings,
            self.embeddings,
            store,
            retriever,
            analyzer,
            grounder,
            OfflineDrafter(phrasing),
            llm,
            feedback=self.feedback,
        )


def build_hub(settings: Settings) -> ShopHub:
    """Every shop the settings name (a shops directory, or the one knowledge directory)."""
    factory = CopilotFactory(settings)
    if settings.shops_dir is not None and not settings.shops_dir.is_dir():
        raise ConfigError(
            f"COPILOT_SHOPS_DIR {settings.shops_dir} is not a directory: create it with one "
            "knowledge directory per shop (the subdirectory's name is the shop id)"
        )
    return ShopHub(settings, factory)


def build_copilot(settings: Settings) -> Copilot:
    """A Copilot with the embeddings, store and drafters named by settings (one shop)."""
    return CopilotFactory(settings).build(settings)
