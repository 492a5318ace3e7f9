"""Chroma vector store: embedded PersistentClient by default, HttpClient for a shared server."""

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlparse

import numpy as np

from copilot.config import Settings
from copilot.errors import (
    EmbeddingMismatchError,
    IndexNotBuiltError,
    IndexStoreError,
    IndexUnavailableError,
)
from copilot.index.embeddings import CopilotEmbeddings
from copilot.index.text import normalize
from copilot.knowledge.models import Chunk
from copilot.knowledge.sentences import (
    SENTENCES_VERSION,
    decode_vectors,
    encode_vectors,
    pieces,
    quotable_body,
)

ProgressCallback = Callable[[int, int], None]
EMBED_BATCH = 64
BACKEND_KEY = "embedding_backend"
INGESTED_AT_KEY = "ingested_at"
SENTENCES_KEY = "sentence_vectors"


def content_hash(chunk: Chunk) -> str:
    """Fingerprint of what gets embedded and stored; unchanged hash means nothing to write."""
    payload = json.dumps(
        [chunk.text, chunk.metadata(), SENTENCES_VERSION], ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


@dataclass
class SyncSummary:
    """What an ingest changed in the index."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    backend: str = ""

    @property
    def total(self) -> int:
        """Chunks in the index after the sync."""
        return self.added + self.updated + self.unchanged


@contextmanager
def _chroma_errors(where: str) -> Iterator[None]:
    """Turn chromadb and connection errors into the copilot's own."""
    try:
        yield
    except IndexStoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - chromadb raises many unrelated types
        text = str(exc)
        if any(word in text.lower() for word in ("connect", "connection", "refused", "timed out")):
            raise IndexUnavailableError(
                f"Chroma is unreachable at {where}: {text}. Start the server "
                "(chroma run --path DIR --port PORT) or unset COPILOT_CHROMA_URL for embedded mode"
            ) from exc
        raise IndexStoreError(f"Chroma at {where} failed: {text}") from exc


def fingerprint_of(hashes) -> str:
    """One hash of a whole index's content (order-independent)."""
    return hashlib.sha256("".join(sorted(hashes)).encode()).hexdigest()[:16]


@dataclass
class Snapshot:
    """The index as loaded in one read."""

    chunks: list[Chunk]
    matrix: np.ndarray | None
    fingerprint: str | None
    complete: bool
    # the quotable sentences' embeddings computed at ingest, by sentence
    sentences: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class IndexInfo:
    """What `copilot shops` shows of one shop's collection."""

    chunks: int | None
    ingested_at: float | None


class ChromaConnection:
    """One client of the embedded database or the Chroma server, shared by every shop's store."""

    def __init__(self, settings: Settings):
        self.where = settings.chroma_url or str(settings.chroma_path)
        self._settings = settings
        self._client = None
        self._lock = threading.Lock()

    @property
    def client(self):
        """Connected on first use, so building a copilot writes nothing to disk."""
        with self._lock:
            if self._client is None:
                with _chroma_errors(self.where):
                    self._client = _connect(self._settings)
            return self._client

    def collection_names(self) -> list[str]:
        """Every collection in the database."""
        with _chroma_errors(self.where):
            return [getattr(c, "name", c) for c in self.client.list_collections()]

    def delete_collection(self, name: str) -> None:
        """Drop a collection and everything in it."""
        with _chroma_errors(self.where):
            self.client.delete_collection(name)


class ChromaStore:
    """One collection of knowledge chunks, with the embedding backend that built it recorded."""

    def __init__(self, settings: Settings, connection: ChromaConnection | None = None):
        self.name = settings.collection
        self.connection = connection or ChromaConnection(settings)
        self.where = self.connection.where

    @property
    def _client(self):
        return self.connection.client

    def _get(self, name: str):
        try:
            return self._client.get_collection(name)
        except Exception as exc:  # noqa: BLE001 - chromadb's NotFoundError differs by client
            if "does not exist" in str(exc) or "not found" in str(exc).lower():
                return None
            raise

    def collection(self, backend_id: str):
        """The collection to query, checked against the embedding backend in use."""
        with _chroma_errors(self.where):
            collection = self._get(self.name)
        if collection is None:
            raise IndexNotBuiltError(
                f"no knowledge index {self.name!r} in {self.where}; run `copilot ingest` first"
            )
        built_with = (collection.metadata or {}).get(BACKEND_KEY)
        if built_with != backend_id:
            raise EmbeddingMismatchError(
                f"the index in {self.where} was built with embeddings {built_with!r} but "
                f"{backend_id!r} is configured; run `copilot ingest` to rebuild it "
                f"or set COPILOT_EMBEDDINGS={built_with}"
            )
        return collection

    def fingerprint(self) -> str | None:
        """Changes whenever an ingest writes; lets readers notice a new index."""
        with _chroma_errors(self.where):
            collection = self._get(self.name)
        return None if collection is None else (collection.metadata or {}).get("fingerprint")

    def info(self) -> "IndexInfo":
        """Chunk count and last ingest of the collection, without loading it (None: not built)."""
        with _chroma_errors(self.where):
            collection = self._get(self.name)
            if collection is None:
                return IndexInfo(None, None)
            return IndexInfo(collection.count(), (collection.metadata or {}).get(INGESTED_AT_KEY))

    def load_chunks(self, backend_id: str) -> list[Chunk]:
        """Every chunk in the index (for BM25 and lookups by id)."""
        return self.load_all(backend_id, vectors=False).chunks

    def count(self, backend_id: str) -> int:
        """Number of chunks in the collection."""
        collection = self.collection(backend_id)
        with _chroma_errors(self.where):
            return collection.count()

    def load_all(self, backend_id: str, vectors: bool = True) -> Snapshot:
        """Every chunk (and with vectors=True their embeddings as one matrix, rows in order).

        `complete` tells whether the chunks are exactly what the last finished ingest wrote:
        an ingest writes its fingerprint last, so a load during an ingest does not match it.
        """
        collection = self.collection(backend_id)
        include = ["documents", "metadatas"] + (["embeddings"] if vectors else [])
        with _chroma_errors(self.where):
            got = collection.get(include=include)
        metadatas = got["metadatas"]
        chunks = [
            Chunk(
                id=chunk_id, text=doc, **{k: v for k, v in meta.items() if k in Chunk.model_fields}
            )
            for chunk_id, doc, meta in zip(got["ids"], got["documents"], metadatas, strict=True)
        ]
        sentences: dict[str, np.ndarray] = {}
        for chunk, meta in zip(chunks, metadatas, strict=True):
            if (meta or {}).get(SENTENCES_KEY):
                sentences.update(decode_vectors(chunk, meta[SENTENCES_KEY]))
        stored = (collection.metadata or {}).get("fingerprint")
        loaded = fingerprint_of((meta or {}).get("hash", "") for meta in metadatas)
        matrix = None
        if vectors and chunks:
            matrix = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(chunks), -1)
        elif vectors:  # an empty knowledge base: no rows, and no dimension to read either
            matrix = np.zeros((0, 0), dtype=np.float32)
        return Snapshot(chunks, matrix, stored, stored == loaded, sentences)

    def query(self, backend_id: str, vector: np.ndarray, n: int, where: dict | None):
        """Ids and cosine distances of the n nearest chunks matching the metadata filter."""
        collection = self.collection(backend_id)
        with _chroma_errors(self.where):
            result = collection.query(
                query_embeddings=[vector.tolist()], n_results=n, where=where, include=["distances"]
            )
        return list(zip(result["ids"][0], result["distances"][0], strict=True))

    def vectors(self, backend_id: str, ids: list[str]) -> tuple[list[str], np.ndarray]:
        """Stored embeddings of the given chunks (ids in the order Chroma returns them)."""
        collection = self.collection(backend_id)
        with _chroma_errors(self.where):
            got = collection.get(ids=ids, include=["embeddings"])
        return list(got["ids"]), np.asarray(got["embeddings"], dtype=np.float32)

    def sync(
        self,
        chunks: list[Chunk],
        embeddings: CopilotEmbeddings,
        progress: ProgressCallback | None = None,
    ) -> SyncSummary:
        """Make the collection hold exactly these chunks, embedding only what changed."""
        with _chroma_errors(self.where):
            return self._sync(chunks, embeddings, progress or (lambda done, total: None))

    def _sync(self, chunks, embeddings, progress) -> SyncSummary:
        summary = SyncSummary(backend=embeddings.backend_id)
        current = self._get(self.name)
        built_with = None if current is None else (current.metadata or {}).get(BACKEND_KEY)
        target_name = self.name
        if current is not None and built_with != embeddings.backend_id:
            # Another backend built it: fill a fresh collection, then swap it in.
            summary.rebuilt = True
            target_name = f"{self.name}-rebuild"
            current = None
        if current is None:
            if self._get(target_name) is not None:
                self._client.delete_collection(target_name)  # left over by a killed ingest
            current = self._client.create_collection(
                target_name,
                metadata={BACKEND_KEY: embeddings.backend_id},
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        stored = current.get(include=["metadatas"])
        stored_hashes = {
            chunk_id: (meta or {}).get("hash")
            for chunk_id, meta in zip(stored["ids"], stored["metadatas"], strict=True)
        }
        wanted = {chunk.id: chunk for chunk in chunks}
        if len(wanted) != len(chunks):
            raise IndexStoreError("duplicate chunk ids in the knowledge; this is a bug")
        changed = [c for c in chunks if stored_hashes.get(c.id) != content_hash(c)]
        summary.added = sum(1 for c in changed if c.id not in stored_hashes)
        summary.updated = len(changed) - summary.added
        summary.unchanged = len(chunks) - len(changed)
        stale = [chunk_id for chunk_id in stored_hashes if chunk_id not in wanted]
        summary.deleted = len(stale)
        self._write(current, changed, embeddings, progress)
        if stale:
            current.delete(ids=stale)
        fingerprint = fingerprint_of(content_hash(c) for c in chunks)
        current.modify(  # every ingest is stamped, so `copilot shops` can say when it last ran
            metadata={
                BACKEND_KEY: embeddings.backend_id,
                "fingerprint": fingerprint,
                INGESTED_AT_KEY: time.time(),
            }
        )
        if summary.rebuilt:
            self._client.delete_collection(self.name)
            current.modify(name=self.name)
        return summary

    def _write(self, collection, changed: list[Chunk], embeddings, progress) -> None:
        progress(0, len(changed))
        for start in range(0, len(changed), EMBED_BATCH):
            batch = changed[start : start + EMBED_BATCH]
            vectors = embeddings.encode([normalize(c.text) for c in batch])
            collection.upsert(
                ids=[c.id for c in batch],
                embeddings=vectors.tolist(),
                documents=[c.text for c in batch],
                metadatas=[
                    {**c.metadata(), "hash": content_hash(c), **extra}
                    for c, extra in zip(batch, _sentence_metadata(batch, embeddings), strict=True)
                ],
            )
            progress(start + len(batch), len(changed))


def _sentence_metadata(batch: list[Chunk], embeddings: CopilotEmbeddings) -> list[dict]:
    """Each chunk's quotable sentences embedded in one call, as metadata ({} for none)."""
    split = [pieces(body) if (body := quotable_body(c)) else [] for c in batch]
    flat = [normalize(piece) for chunk_pieces in split for piece in chunk_pieces]
    if not flat:
        return [{} for _ in batch]
    vectors = embeddings.encode(flat)
    extras, at = [], 0
    for chunk_pieces in split:
        if chunk_pieces:
            extras.append({SENTENCES_KEY: encode_vectors(vectors[at : at + len(chunk_pieces)])})
        else:
            extras.append({})
        at += len(chunk_pieces)
    return extras


def _connect(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
