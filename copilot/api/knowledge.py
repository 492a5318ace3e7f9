"""Knowledge search over the shop's products, FAQ, rules and scripts."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from copilot.api.deps import AccessDep
from copilot.api.schemas import ErrorResponse, KnowledgeSearchResponse, ShopQuery
from copilot.knowledge.taxonomy import ChunkType, Intent, Stage

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"])


@router.get(
    "/search",
    response_model=KnowledgeSearchResponse,
    responses={
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
        503: {"model": ErrorResponse},
    },
)
def search_knowledge(
    access: AccessDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Customer question.")],
    k: Annotated[int, Query(ge=1, le=50, description="How many chunks to return.")] = 5,
    type: Annotated[
        list[ChunkType] | None,
        Query(description="Chunk types to search (repeatable); default product, faq, rule."),
    ] = None,
    sku: Annotated[
        str | None, Query(max_length=64, description="Product in focus: its chunks rank first.")
    ] = None,
    sku_only: Annotated[bool, Query(description="Return only chunks of `sku`.")] = False,
    intent: Annotated[Intent | None, Query(description="Only scripts of this intent.")] = None,
    stage: Annotated[Stage | None, Query(description="Only scripts of this stage.")] = None,
    shop: Annotated[str | None, ShopQuery] = None,
) -> KnowledgeSearchResponse:
    """Hybrid (dense + BM25) search; Traditional Chinese is matched like Simplified."""
    if not q.strip():
        raise HTTPException(status_code=422, detail="query parameter 'q' must not be blank")
    hits = access.copilot(shop).search_knowledge(q, k, type, sku, sku_only, intent, stage)
    return KnowledgeSearchResponse(query=q, k=k, results=hits)
