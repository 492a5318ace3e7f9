"""Which product a conversation is about when the request names none.

The product whose name shares the rarest words with the customer's message (or, failing that,
an earlier turn).
"""

from copilot.index.retriever import HybridRetriever
from copilot.index.text import normalize
from copilot.knowledge.models import Chunk

# a product counts as named when the shared words are at least this rare (sum of IDF)
MIN_NAME_WEIGHT = 3.0


class ProductFinder:
    """Matches messages against product names; attribute words (容量, 颜色) never identify one."""

    def __init__(self, retriever: HybridRetriever, phrasing: dict):
        self.retriever = retriever
        ignored = set(phrasing["attribute_aliases"])
        for aliases in phrasing["attribute_aliases"].values():
            ignored.update(str(a) for a in aliases)
        self._ignored = {normalize(word) for word in ignored}
        self._names: dict[str, frozenset[str]] = {}
        self._names_of: int | None = None

    def _product_names(self) -> dict[str, frozenset[str]]:
        products = self.retriever.chunks_of("product")
        if self._names_of != id(products[0] if products else None) or not self._names:
            self._names = {
                p.sku: frozenset(self.retriever.tokens(p.title)) - self._ignored for p in products
            }
            self._names_of = id(products[0] if products else None)
        return self._names

    def named_in(self, text: str) -> str | None:
        """The sku of the product text names, or None when none (or several equally) match."""
        words = set(self.retriever.tokens(text)) - self._ignored
        scored = sorted(
            (
                (sum(self.retriever.idf(t) for t in words & name), sku)
                for sku, name in self._product_names().items()
            ),
            reverse=True,
        )
        if not scored or scored[0][0] < MIN_NAME_WEIGHT:
            return None
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return None
        return scored[0][1]

    def in_focus(self, message: str, earlier_customer_turns: list[str]) -> str | None:
        """The product of the latest message, else of the most recent turn that names one."""
        for text in [message, *reversed(earlier_customer_turns)]:
            sku = self.named_in(text)
            if sku:
                return sku
        return None

    def chunk(self, sku: str) -> Chunk | None:
        """The product's overview chunk."""
        return self.retriever.chunk(f"product:{sku}")
