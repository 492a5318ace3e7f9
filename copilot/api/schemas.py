"""Request and response models of the HTTP API (a contract: add fields, don't rename)."""

from pydantic import BaseModel, Field

from copilot.index.retriever import SearchHit


class HealthResponse(BaseModel):
    """The process is up."""

    status: str = "ok"


class ReadyResponse(BaseModel):
    """Whether the service can draft, and each dependency's state."""

    status: str
    checks: dict[str, str]


class KnowledgeSearchResponse(BaseModel):
    """Ranked knowledge chunks for a query."""

    query: str
    k: int
    results: list[SearchHit] = Field(description="Best first; score is the fused RRF score.")


class ErrorResponse(BaseModel):
    """Every error body: what went wrong and how to fix it."""

    detail: str
