"""Liveness and readiness probes (no API key needed)."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from copilot.api.deps import HubDep, MetricsDep
from copilot.api.schemas import HealthResponse, ReadyResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthResponse)
def healthz() -> HealthResponse:
    """The process is up and answering; needs no API key."""
    return HealthResponse()


@router.get("/readyz", response_model=ReadyResponse, responses={503: {"model": ReadyResponse}})
def readyz(hub: HubDep) -> JSONResponse:
    """Ready to draft: the index is loaded, Chroma answers and the lexicon is loaded.

    503 lists what is wrong; a load balancer stops sending traffic until it is fixed. With
    several shops, each has a `shop:ID` entry; a shop not ingested does not make the server
    unready while another shop can draft.
    """
    ready, checks = hub.readiness()
    body = ReadyResponse(
        status="ready" if ready else "not ready",
        checks={name: problem or "ok" for name, problem in checks.items()},
    )
    return JSONResponse(status_code=200 if ready else 503, content=body.model_dump())


@router.get("/metrics", response_class=Response, include_in_schema=True)
def metrics(service_metrics: MetricsDep) -> Response:
    """Prometheus metrics of this worker.

    Request latency per route, drafts by mode, LLM failures by kind, escalations, knowledge
    gaps and compliance hits by category.
    """
    return Response(generate_latest(service_metrics.registry), media_type=CONTENT_TYPE_LATEST)
