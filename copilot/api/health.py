"""Liveness probe."""

from fastapi import APIRouter

from copilot.api.schemas import HealthResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthResponse)
def healthz() -> HealthResponse:
    """The process is up and answering; needs no API key."""
    return HealthResponse()
