"""The shop's product vocabulary, masked before classifying so product words never decide intent.

A new shop's customers talk about products the models never saw (茶饼, 猫砂, 尤克里里); the
shop's catalog is known at ingest, so its names, category words and attribute values are replaced
by one neutral word. Words used across many product categories (颜色, 发货, 质量) are protected:
the model bundle lists them, and they are never masked.
"""

import re
from collections.abc import Iterable

import ahocorasick
import jieba

from copilot.understand.textprep import MASK, prepare

MIN_TERM_CHARS = 2
MAX_VALUE_CHARS = 12
_VALUE_SPLIT = re.compile(r"[、,，/;；|（）()\s]+|和|及|或")
_CATALOG_LINE = re.compile(r"^([^：:\n]{1,12})[：:](.+)$")
_NOT_A_WORD = re.compile(r"^[\d\W_]+$")
_SKIPPED_KEYS = frozenset({"商品", "价格"})
_tokenizer = jieba.dt  # the default dictionary, shared with the rest of the process


def _words(name: str) -> list[str]:
    """A product name and the words inside it (电热水壶 -> 热水, 水壶, 热水壶, 电热水壶)."""
    folded = prepare(name)
    return [folded, *_tokenizer.cut_for_search(folded)]


def _values(value: str) -> list[str]:
    return [piece for piece in _VALUE_SPLIT.split(prepare(value)) if piece]


def catalog_terms(names: Iterable[str], categories: Iterable[str], values: Iterable[str]) -> set:
    """Candidate terms of a catalog: names and their words, category words, short values."""
    terms: set[str] = set()
    for name in names:
        terms.update(_words(name))
    for category in categories:
        terms.update(_words(category))
    for value in values:
        terms.update(v for v in _values(value) if len(v) <= MAX_VALUE_CHARS)
    return {t.strip() for t in terms if len(t.strip()) >= MIN_TERM_CHARS}


def terms_from_product_chunks(texts: Iterable[str]) -> set[str]:
    """Catalog terms read off product chunks ("商品：name（sku）", "类目：…", "key：value")."""
    names, categories, values = [], [], []
    for text in texts:
        for line in text.splitlines():
            match = _CATALOG_LINE.match(line.strip())
            if not match:
                continue
            key, value = match.group(1).strip(), match.group(2).strip()
            if key == "商品":
                names.append(re.sub(r"（[^（）]*）$", "", value))
            elif key == "类目":
                categories.append(value)
            elif key not in _SKIPPED_KEYS:
                values.append(value)
    return catalog_terms(names, categories, values)


class ProductVocabulary:
    """Replaces a catalog's product words in prepared text with one neutral word."""

    def __init__(self, terms: Iterable[str], protected: Iterable[str] = ()):
        keep = set(protected)
        self.terms = frozenset(
            t
            for t in (prepare(term) for term in terms)
            if len(t) >= MIN_TERM_CHARS and t not in keep and not _NOT_A_WORD.match(t)
        )
        self._automaton = None
        if self.terms:
            automaton = ahocorasick.Automaton()
            for term in self.terms:
                automaton.add_word(term, len(term))
            automaton.make_automaton()
            self._automaton = automaton

    def mask(self, prepared: str) -> str:
        """Prepared text with the longest non-overlapping product words masked."""
        if self._automaton is None:
            return prepared
        spans = sorted(
            ((end - length + 1, end + 1) for end, length in self._automaton.iter(prepared)),
            key=lambda span: (span[0], -span[1]),
        )
        out, position = [], 0
        for start, end in spans:
            if start < position:
                continue
            out.append(prepared[position:start])
            out.append(MASK)
            position = end
        out.append(prepared[position:])
        return "".join(out)


EMPTY_VOCABULARY = ProductVocabulary(())
