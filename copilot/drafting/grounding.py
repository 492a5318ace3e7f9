"""Gathering what drafts may say.

Relevant facts, the scripts for the intent, and whether the knowledge answers the question at
all (a knowledge gap).
"""

import numpy as np

from copilot.drafting.context import DraftContext, Fact
from copilot.drafting.facts import FactExtractor
from copilot.drafting.products import ProductFinder
from copilot.index.retriever import HybridRetriever, SearchFilters
from copilot.knowledge.models import Chunk
from copilot.schemas import DraftRequest
from copilot.understand.analyzer import Understanding

CANDIDATE_FACTS = 5
MAX_FACTS = 3
# lexical coverage of the question's rare words counts on top of embedding similarity
COVERAGE_WEIGHT = 0.3
# intents that the shop's scripts answer on their own, so missing facts are not a gap
SCRIPT_ANSWERED = frozenset({"greeting", "complaint", "quality_issue"})
PROBLEM_FACT_COVERAGE = 0.3
# scripts much less relevant than the best one for the intent are not offered at all
SCRIPT_MARGIN = 0.15
SAFETY_TAGS = {"phishing_link": "anti_fraud", "pii": "privacy"}


def tags(chunk: Chunk) -> list[str]:
    """A script chunk's tags (stored comma-joined in its title)."""
    return [tag for tag in chunk.title.split(",") if tag]


class Grounder:
    """Retrieval for drafting, with a relevance floor that decides what counts as an answer."""

    def __init__(
        self,
        retriever: HybridRetriever,
        extractor: FactExtractor,
        products: ProductFinder,
        gap_threshold: float,
        category_tags: dict[str, str] | None = None,
    ):
        self.category_tags = category_tags or {}
        self.retriever = retriever
        self.extractor = extractor
        self.products = products
        self.gap_threshold = gap_threshold

    def gather(
        self, request: DraftRequest, understanding: Understanding, vector: np.ndarray
    ) -> DraftContext:
        """Facts, scripts and the knowledge-gap verdict for one request."""
        analysis = understanding.analysis
        context = DraftContext(request=request, understanding=understanding)
        sku = request.sku or self.products.in_focus(
            request.message, understanding.earlier_customer_turns
        )
        context.facts = self._facts(understanding.query, sku, analysis.intent, vector)
        context.product = self._product(sku, context.facts)
        context.scripts = self._for_category(
            self._scripts(analysis.intent, analysis.stage, understanding.query, vector),
            context.product,
        )
        context.gap_scripts = self._tagged("knowledge_gap", analysis.stage)
        context.safety_scripts = [
            script
            for flag, tag in SAFETY_TAGS.items()
            if flag in analysis.flags
            for script in self._tagged(tag, analysis.stage)[:1]
        ]
        context.knowledge_gap = not context.facts and analysis.intent not in SCRIPT_ANSWERED
        return context

    def _facts(self, query: str, sku: str | None, intent: str, vector: np.ndarray) -> list[Fact]:
        """Relevant facts, best first.

        A named product excludes other products' facts; for problems the scripts lead, so
        product facts must share the question's words.
        """
        hits = self.retriever.search(
            query, CANDIDATE_FACTS, SearchFilters(), prefer_sku=sku, vector=vector
        )
        ids = [hit.id for hit in hits]
        facts: list[Fact] = []
        focus = self.retriever.chunk(f"product:{sku}") if sku else None
        answer = self.extractor.attribute_answer(focus, query) if focus else None
        if focus is not None and answer:  # the attribute asked about is the best answer there is
            facts.append(Fact(focus, answer, 1.0))
            ids = [i for i in ids if i != focus.id]
        similarity = self.retriever.similarities(vector, ids)
        coverage = self.retriever.coverage(query, ids)
        for chunk_id, sim, cov in zip(ids, similarity, coverage, strict=True):
            chunk = self.retriever.chunk(chunk_id)
            score = float(sim) + COVERAGE_WEIGHT * cov
            if chunk is None or score < self.gap_threshold:
                continue
            if sku and chunk.sku and chunk.sku != sku:
                continue
            if intent in SCRIPT_ANSWERED and chunk.sku and cov < PROBLEM_FACT_COVERAGE:
                continue
            sentence = self.extractor.sentence(chunk, query, vector)
            if all(sentence != fact.sentence for fact in facts):
                facts.append(Fact(chunk, sentence, score))
            if len(facts) == MAX_FACTS:
                break
        return facts

    def _product(self, sku: str | None, facts: list[Fact]) -> Chunk | None:
        """The product in focus: the request's sku, else the product the best fact is about."""
        sku = sku or next((f.chunk.sku for f in facts[:1] if f.chunk.sku), None)
        return self.retriever.chunk(f"product:{sku}") if sku else None

    def _scripts(self, intent: str, stage: str, query: str, vector: np.ndarray) -> list[Chunk]:
        scripts = self.retriever.chunks_of("script", intent, stage)
        if not scripts:
            scripts = self.retriever.chunks_of("script", intent)
        if not scripts:
            return []
        ids = [s.id for s in scripts]
        score = self.retriever.similarities(vector, ids) + COVERAGE_WEIGHT * np.array(
            self.retriever.coverage(query, ids)
        )
        order = np.argsort(-score, kind="stable")
        best = float(score[order[0]])
        return [scripts[i] for i in order if score[i] >= best - SCRIPT_MARGIN]

    def _for_category(self, scripts: list[Chunk], product: Chunk | None) -> list[Chunk]:
        """Drop scripts meant for another product category than the product in focus."""
        category = product.text.partition("类目：")[2].split("\n", 1)[0] if product else ""
        own = self.category_tags.get(category)
        if not own:
            return scripts
        others = set(self.category_tags.values()) - {own}
        return [s for s in scripts if not others & set(tags(s))]

    def _tagged(self, tag: str, stage: str) -> list[Chunk]:
        """Scripts with a tag, those of the current stage first."""
        scripts = [s for s in self.retriever.chunks_of("script") if tag in tags(s)]
        return sorted(scripts, key=lambda s: s.stage != stage)
