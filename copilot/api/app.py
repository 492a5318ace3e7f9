"""App factory: create_app(copilot=...) for tests, create_app() for `copilot serve`."""

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from copilot.api import compliance, drafts, health, knowledge
from copilot.config import Settings, get_settings
from copilot.errors import (
    ConfigError,
    CopilotError,
    EmbeddingMismatchError,
    IndexNotBuiltError,
    IndexUnavailableError,
    KnowledgeError,
    LLMError,
    UnknownShopError,
)
from copilot.log_masking import install_log_masking
from copilot.service import Copilot

log = logging.getLogger(__name__)

_STATUS = {
    IndexNotBuiltError: 503,
    IndexUnavailableError: 503,
    EmbeddingMismatchError: 409,
    KnowledgeError: 422,
    UnknownShopError: 404,
    LLMError: 502,
    ConfigError: 500,
}


def _status_for(error: CopilotError) -> int:
    for kind, status in _STATUS.items():
        if isinstance(error, kind):
            return status
    return 500


def create_app(copilot: Copilot | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the API; without a copilot one is built from settings when the app starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        install_log_masking()
        if app.state.copilot is None:
            from copilot.container import build_copilot

            app.state.copilot = build_copilot(settings or get_settings())
        try:
            app.state.copilot.warm_up()
        except CopilotError as exc:  # serve anyway: /healthz answers, searches explain the problem
            log.warning("index not ready: %s", exc)
        yield

    app = FastAPI(
        title="Reply copilot",
        version="0.1.0",
        description="Draft replies, knowledge search and compliance for shop customer service.",
        lifespan=lifespan,
    )
    app.state.copilot = copilot

    @app.exception_handler(CopilotError)
    async def copilot_error(_request: Request, exc: CopilotError) -> JSONResponse:
        return JSONResponse(status_code=_status_for(exc), content={"detail": str(exc)})

    app.include_router(health.router)
    app.include_router(knowledge.router)
    app.include_router(drafts.router)
    app.include_router(compliance.router)
    return app
