"""Ingest a knowledge directory: validate everything first, then sync the index incrementally."""

from collections import Counter
from dataclasses import dataclass, field

from copilot.config import Settings
from copilot.index.chroma import ChromaStore, ProgressCallback, SyncSummary
from copilot.index.embeddings import CopilotEmbeddings, build_embeddings
from copilot.knowledge import build_chunks, load_knowledge


@dataclass
class IngestReport:
    """What ingest found and what it changed."""

    summary: SyncSummary
    chunks_by_type: dict[str, int]
    warnings: list[str] = field(default_factory=list)


def ingest(
    settings: Settings,
    embeddings: CopilotEmbeddings | None = None,
    store: ChromaStore | None = None,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Validate settings.knowledge_dir (nothing is written on error) and sync it into Chroma."""
    kb = load_knowledge(settings.knowledge_dir)
    chunks = build_chunks(kb)
    embeddings = embeddings or build_embeddings(settings)
    store = store or ChromaStore(settings)
    summary = store.sync(chunks, embeddings, progress)
    return IngestReport(
        summary=summary,
        chunks_by_type=dict(Counter(chunk.type for chunk in chunks)),
        warnings=kb.warnings,
    )
