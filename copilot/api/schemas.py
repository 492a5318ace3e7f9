"""Request and response models of the HTTP API (a contract: add fields, don't rename)."""

from fastapi import Query
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


# the `shop` query parameter of the /v1 routes that read one shop
ShopQuery = Query(
    max_length=64,
    description="The shop (required when the server serves several; GET /v1/shops lists them).",
)


class ShopInfo(BaseModel):
    """One shop the caller may use."""

    shop: str
    chunks: int | None = Field(description="Chunks in its index; null when not ingested.")
    ingested_at: float | None = Field(description="Last ingest (epoch seconds).")
    loaded: bool = Field(description="Its index is in this worker's memory now.")
    problem: str | None = Field(description="Why it cannot draft now; null when it can.")


class ShopsResponse(BaseModel):
    """The shops this caller's key may use on this server."""

    many: bool = Field(description="The server serves a shops directory: requests name `shop`.")
    shops: list[ShopInfo]
