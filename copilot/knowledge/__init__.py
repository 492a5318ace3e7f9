"""Knowledge loading: the documented directory format, validated, turned into chunks."""

from copilot.knowledge.chunks import build_chunks
from copilot.knowledge.loader import KnowledgeBase, load_knowledge
from copilot.knowledge.models import Chunk

__all__ = ["Chunk", "KnowledgeBase", "build_chunks", "load_knowledge"]
