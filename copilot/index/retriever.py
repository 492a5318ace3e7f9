"""Hybrid retrieval: dense (Chroma) and BM25 (jieba) results merged by reciprocal-rank fusion."""

import functools
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from copilot.errors import IndexUnavailableError
from copilot.index.bm25 import BM25Index
from copilot.index.chroma import ChromaStore
from copilot.index.embeddings import CopilotEmbeddings
from copilot.index.text import ChineseTokenizer, normalize
from copilot.knowledge.models import Chunk
from copilot.knowledge.taxonomy import ChunkType

log = logging.getLogger(__name__)

# Facts answer questions; scripts say how to answer and are asked for explicitly (--type script).
DEFAULT_TYPES: tuple[ChunkType, ...] = ("product", "faq", "rule")
Method = Literal["hybrid", "dense", "bm25"]
MASK_CACHE_SIZE = 256
# credit for a query word the chunk has every character of but not as a word (满减 / 满99元减10元)
PARTIAL_WORD_CREDIT = 0.5
# a word whose characters stand in this order with only a quantity between them (满减 of
# 满199元减20元, 买赠 of 买2件赠1件) names that phrase and counts in full
QUANTITY_GAP = r"\d+(?:\.\d+)?[^\W\d_]?"


def _abbreviates(word: str, text: str) -> bool:
    """Whether text has word's characters in order, each pair apart by a quantity only."""
    return _abbreviation(word).search(text) is not None


@functools.lru_cache(maxsize=4096)
def _abbreviation(word: str) -> re.Pattern[str]:
    return re.compile(QUANTITY_GAP.join(re.escape(char) for char in word))


class SearchFilters(BaseModel):
    """Metadata filters; empty fields do not filter."""

    types: list[ChunkType] = Field(default_factory=lambda: list(DEFAULT_TYPES))
    sku: str | None = None
    intent: str | None = None
    stage: str | None = None

    def chroma_where(self) -> dict | None:
        """The same filter in Chroma's where syntax."""
        clauses: list[dict] = []
        if self.types:
            clauses.append({"type": {"$in": list(self.types)}})
        for key in ("sku", "intent", "stage"):
            value = getattr(self, key)
            if value:
                clauses.append({key: value})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def mask(self, chunks: list[Chunk]) -> np.ndarray:
        """Which chunks (by position) pass the filter."""
        return np.array(
            [
                (not self.types or c.type in self.types)
                and (not self.sku or c.sku == self.sku)
                and (not self.intent or c.intent == self.intent)
                and (not self.stage or c.stage == self.stage)
                for c in chunks
            ],
            dtype=bool,
        )


class SearchHit(BaseModel):
    """One ranked chunk."""

    id: str
    type: str
    source: str
    title: str
    sku: str
    score: float
    text: str


@dataclass
class _LexicalIndex:
    chunks: list[Chunk]
    positions: dict[str, int]
    bm25: BM25Index
    tokenizer: ChineseTokenizer
    words: list[frozenset[str]]
    characters: list[frozenset[str]] = field(default_factory=list)  # of each chunk's words
    texts: list[str] = field(default_factory=list)  # each chunk's normalised text
    matrix: np.ndarray | None = None  # every chunk's embedding, row i = chunks[i], when small
    product_texts: tuple[str, ...] = ()
    masks: dict[tuple, np.ndarray] = field(default_factory=dict)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    sentences: dict[str, np.ndarray] = field(default_factory=dict)  # embedded at ingest


class HybridRetriever:
    """search(query, k) over one knowledge index; rebuilds its BM25 side when the index changes."""

    def __init__(
        self,
        store: ChromaStore,
        embeddings: CopilotEmbeddings,
        rrf_k: int = 60,
        candidates: int = 30,
        recheck_seconds: float = 2.0,
        memory_limit: int = 50_000,
    ):
        self.memory_limit = memory_limit
        self.store = store
        self.recheck_seconds = recheck_seconds
        self._checked_at = 0.0
        self.embeddings = embeddings
        self.rrf_k = rrf_k
        self.candidates = candidates
        self._lexical: _LexicalIndex | None = None
        self._fingerprint: str | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Load (or reload) every chunk from the store and rebuild the lexical index.

        Readers only ever switch to a complete index: a load that catches an ingest half-way
        is dropped (the previous index keeps serving) and retried at the next check.
        """
        with self._lock:
            backend = self.embeddings.backend_id
            in_memory = self.store.count(backend) <= self.memory_limit
            snapshot = self.store.load_all(backend, vectors=in_memory)
            if not snapshot.complete and self._lexical is not None:
                return  # an ingest is half-way: keep serving the last complete index
            fingerprint = snapshot.fingerprint if snapshot.complete else None  # retry soon
            chunks, matrix = snapshot.chunks, snapshot.matrix
            names = {c.title for c in chunks if c.type == "product"} | {
                c.sku for c in chunks if c.sku
            }
            tokenizer = ChineseTokenizer(names)
            documents = [tokenizer.tokens(c.text) for c in chunks]
            self._lexical = _LexicalIndex(
                chunks=chunks,
                positions={c.id: i for i, c in enumerate(chunks)},
                bm25=BM25Index(documents),
                tokenizer=tokenizer,
                words=[frozenset(doc) for doc in documents],
                characters=[frozenset("".join(doc)) for doc in documents],
                texts=[normalize(c.text) for c in chunks],
                matrix=matrix,
                product_texts=tuple(c.text for c in chunks if c.type == "product"),
                sentences=snapshot.sentences,
            )
            self._fingerprint = fingerprint

    def _index(self) -> _LexicalIndex:
        now = time.monotonic()
        if self._lexical is None:
            self.refresh()
        elif now - self._checked_at >= self.recheck_seconds:
            self._checked_at = now
            try:
                changed = self.store.fingerprint() != self._fingerprint
            except IndexUnavailableError as exc:
                if self._lexical.matrix is None:  # searches need Chroma itself: 503
                    raise
                # the whole index is in memory: keep answering from it; /readyz says Chroma is
                # down, and the next check (recheck_seconds later) looks again
                log.warning("serving the in-memory index while Chroma is unreachable: %s", exc)
                changed = False
            if changed:
                self.refresh()
        assert self._lexical is not None
        return self._lexical

    @property
    def sentence_vectors(self) -> dict[str, np.ndarray]:
        """Embeddings of the knowledge's quotable sentences, computed at ingest (by sentence)."""
        return self._index().sentences

    @property
    def size(self) -> int:
        """Number of chunks in the index being searched."""
        return len(self._index().chunks)

    def chunk(self, chunk_id: str) -> Chunk | None:
        """A chunk by id, or None."""
        index = self._index()
        position = index.positions.get(chunk_id)
        return None if position is None else index.chunks[position]

    def search(
        self,
        query: str,
        k: int = 5,
        filters: SearchFilters | None = None,
        prefer_sku: str | None = None,
        method: Method = "hybrid",
        vector: np.ndarray | None = None,
    ) -> list[SearchHit]:
        """The k best chunks for a customer question; chunks of prefer_sku are ranked up.

        vector: the query's embedding when the caller already has it (saves encoding twice).
        """
        filters = filters or SearchFilters()
        index = self._index()
        if not index.chunks:  # a shop with no knowledge yet: nothing to find
            return []
        text = normalize(query)
        ranked_lists: list[list[str]] = []
        focused = (
            filters.model_copy(update={"sku": prefer_sku})
            if prefer_sku and not filters.sku
            else None
        )
        if method in ("hybrid", "dense"):
            if vector is None:
                vector = self.embeddings.encode([text])[0]
            ranked_lists.append(self._dense(index, vector, filters))
            if focused is not None:
                ranked_lists.append(self._dense_among(index, vector, focused))
        if method in ("hybrid", "bm25"):
            ranked_lists.append(self._lexical_ids(index, text, filters))
            if focused is not None:
                ranked_lists.append(self._lexical_ids(index, text, focused))
        # a dense hit written by an ingest newer than our lexical index is skipped, not an error
        known = [(cid, score) for cid, score in self._fuse(ranked_lists) if cid in index.positions]
        return [
            SearchHit(
                score=round(score, 6),
                **index.chunks[index.positions[chunk_id]].model_dump(
                    include={"id", "type", "source", "title", "sku", "text"}
                ),
            )
            for chunk_id, score in known[:k]
        ]

    def encode_query(self, query: str) -> np.ndarray:
        """The embedding search() uses for a query."""
        return self.encode_queries([query])[0]

    def encode_queries(self, queries: list[str]) -> np.ndarray:
        """Embeddings of several queries in one batch."""
        return self.embeddings.encode([normalize(q) for q in queries])

    def similarities(self, vector: np.ndarray, ids: list[str]) -> np.ndarray:
        """Cosine similarity of a query embedding with each chunk (0 for unknown ids)."""
        index = self._index()
        if index.matrix is not None:
            rows = [index.positions.get(i) for i in ids]
            return np.array(
                [float(index.matrix[r] @ vector) if r is not None else 0.0 for r in rows],
                dtype=np.float32,
            )
        missing = [i for i in ids if i not in index.vectors and i in index.positions]
        if missing:
            found, vectors = self.store.vectors(self.embeddings.backend_id, missing)
            index.vectors.update(zip(found, vectors, strict=True))
        return np.array(
            [float(index.vectors[i] @ vector) if i in index.vectors else 0.0 for i in ids],
            dtype=np.float32,
        )

    def coverage(self, query: str, chunk_ids: list[str]) -> list[float]:
        """Share of the query's IDF weight that each chunk's words cover (lexical relevance).

        A query word the chunk does not have as a word but has every character of counts in
        part: jieba cuts chat words and shop text differently (满减 against 满99元减10元).
        """
        index = self._index()
        tokens = set(index.tokenizer.tokens(query))
        total = sum(index.bm25.idf(t) for t in tokens)
        if not total:
            return [0.0 for _ in chunk_ids]
        result = []
        for chunk_id in chunk_ids:
            position = index.positions.get(chunk_id)
            if position is None:
                result.append(0.0)
                continue
            words, characters = index.words[position], index.characters[position]
            text = index.texts[position]
            covered = sum(
                index.bm25.idf(t)
                * (1.0 if t in words or _abbreviates(t, text) else PARTIAL_WORD_CREDIT)
                for t in tokens
                if t in words or (len(t) > 1 and set(t) <= characters)
            )
            result.append(covered / total)
        return result

    def idf(self, token: str) -> float:
        """How rare a token is in the index (rarer words say more about a question)."""
        return self._index().bm25.idf(token)

    def is_word(self, text: str) -> bool:
        """Whether text is one word to the index's tokenizer (see ChineseTokenizer.is_word)."""
        return self._index().tokenizer.is_word(text)

    def tokens(self, text: str) -> list[str]:
        """The lexical tokens the index uses for text."""
        return self._index().tokenizer.tokens(text)

    def product_texts(self) -> tuple[str, ...]:
        """The product chunks' texts: the same tuple object until the index is reloaded."""
        return self._index().product_texts

    def chunks_of(self, type_: str, intent: str | None = None, stage: str | None = None):
        """Chunks of one type (and intent and stage), in index order."""
        return [
            c
            for c in self._index().chunks
            if c.type == type_
            and (intent is None or c.intent == intent)
            and (stage is None or c.stage == stage)
        ]

    def _dense(self, index: _LexicalIndex, vector: np.ndarray, filters: SearchFilters) -> list[str]:
        """The nearest neighbours passing the filter.

        An index of up to memory_limit chunks keeps its vectors in memory (Chroma stays the store
        of record) and is searched exactly with numpy: ~0.1 ms instead of a 1-2 ms Chroma query.

        Chroma's metadata filters cost 10-20 ms over 10,000 chunks, an unfiltered query 1 ms, so a
        type-only filter over-fetches unfiltered and filters here; a selective filter (sku, intent,
        stage) or a short result falls back to Chroma's own where clause.
        """
        if index.matrix is not None:
            return self._exact(index, vector, self._mask(index, filters))
        backend = self.embeddings.backend_id
        if not (filters.sku or filters.intent or filters.stage):
            mask = self._mask(index, filters)
            for fetch in (4 * self.candidates, 16 * self.candidates):
                pairs = self.store.query(backend, vector, fetch, None)
                kept = [
                    chunk_id
                    for chunk_id, _ in pairs
                    if chunk_id in index.positions and mask[index.positions[chunk_id]]
                ]
                if len(kept) >= self.candidates or len(pairs) < fetch:
                    return kept[: self.candidates]
        pairs = self.store.query(backend, vector, self.candidates, filters.chroma_where())
        return [chunk_id for chunk_id, _distance in pairs]

    def _dense_among(
        self, index: _LexicalIndex, vector: np.ndarray, filters: SearchFilters
    ) -> list[str]:
        """Exact cosine ranking over the few chunks of one product (the sku in focus)."""
        mask = self._mask(index, filters)
        if index.matrix is not None:
            return self._exact(index, vector, mask)
        ids = [index.chunks[i].id for i in np.flatnonzero(mask)]
        if not ids:
            return []
        found, vectors = self.store.vectors(self.embeddings.backend_id, ids)
        order = np.argsort(-(vectors @ vector), kind="stable")
        return [found[i] for i in order[: self.candidates]]

    def _exact(self, index: _LexicalIndex, vector: np.ndarray, mask: np.ndarray) -> list[str]:
        """Exact cosine search over the in-memory matrix, among the chunks the mask allows."""
        scores = np.where(mask, index.matrix @ vector, -np.inf)
        n = min(self.candidates, int(mask.sum()))
        if n <= 0:
            return []
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [index.chunks[i].id for i in best]

    @staticmethod
    def _mask(index: _LexicalIndex, filters: SearchFilters) -> np.ndarray:
        key = (tuple(filters.types), filters.sku, filters.intent, filters.stage)
        mask = index.masks.get(key)
        if mask is None:
            if len(index.masks) >= MASK_CACHE_SIZE:
                index.masks.clear()
            mask = index.masks[key] = filters.mask(index.chunks)
        return mask

    def _lexical_ids(self, index: _LexicalIndex, text: str, filters: SearchFilters) -> list[str]:
        mask = self._mask(index, filters)
        tokens = index.tokenizer.tokens(text)
        return [index.chunks[i].id for i, _ in index.bm25.top(tokens, self.candidates, mask)]

    def _fuse(self, ranked_lists: list[list[str]]) -> list[tuple[str, float]]:
        scores: dict[str, float] = {}
        for ranked in ranked_lists:
            for rank, chunk_id in enumerate(ranked):
                scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        return sorted(scores.items(), key=lambda item: -item[1])
