"""App factory: create_app(copilot=...) for tests, create_app() for `copilot serve`."""

import logging
from contextlib import ExitStack, asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from copilot.api import compliance, drafts, feedback, health, knowledge, pages, shops
from copilot.api.limits import BodySizeLimit, BodyTimeout, LocalCallersOnly
from copilot.api.security import (
    FAILED_AUTH_PER_MINUTE,
    RateLimiter,
    caller_id,
    require_caller,
)
from copilot.api.telemetry import RequestTelemetry, ServiceMetrics
from copilot.config import Settings, get_settings
from copilot.errors import (
    ConfigError,
    CopilotError,
    EmbeddingMismatchError,
    IndexNotBuiltError,
    IndexUnavailableError,
    KnowledgeError,
    LLMError,
    ShopForbiddenError,
    ShopRequiredError,
    UnknownShopError,
)
from copilot.feedback.store import InvalidFeedbackError, UnknownRequestError
from copilot.index.sharing import IndexInUseError, serving
from copilot.log_masking import install_log_masking
from copilot.service import Copilot
from copilot.shops import ShopHub

log = logging.getLogger(__name__)

_STATUS = {
    IndexNotBuiltError: 503,
    IndexUnavailableError: 503,
    EmbeddingMismatchError: 409,
    KnowledgeError: 422,
    UnknownShopError: 404,
    ShopForbiddenError: 403,
    ShopRequiredError: 422,
    IndexInUseError: 409,
    UnknownRequestError: 404,
    InvalidFeedbackError: 422,
    LLMError: 502,
    ConfigError: 500,
}


def _printable(value) -> str | int:
    """A location part or message that any JSON encoder can write (no lone surrogates)."""
    if isinstance(value, int):
        return value
    return str(value).encode("utf-8", "backslashreplace").decode("utf-8")


def safe_errors(errors) -> list[dict]:
    """Validation errors without the rejected input: it may be unencodable or personal."""
    return [
        {
            "loc": [_printable(part) for part in error.get("loc", ())],
            "msg": _printable(error.get("msg", "")),
            "type": _printable(error.get("type", "")),
        }
        for error in errors
    ]


def _status_for(error: CopilotError) -> int:
    for kind, status in _STATUS.items():
        if isinstance(error, kind):
            return status
    return 500


def create_app(
    copilot: Copilot | None = None,
    settings: Settings | None = None,
    hub: ShopHub | None = None,
) -> FastAPI:
    """Build the API; without a copilot or hub, the shops are built from settings at start."""
    if copilot is not None:
        hub = ShopHub.single(copilot)
    settings = settings or (hub.settings if hub else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        install_log_masking()
        with ExitStack() as held:
            if app.state.hub is None:  # a served process: it owns an embedded index
                from copilot.container import build_hub

                if settings.chroma_url is None:
                    held.enter_context(serving(settings.data_dir))
                app.state.hub = build_hub(settings)
            try:
                app.state.hub.warm_up()
            except CopilotError as exc:  # serve anyway: /healthz answers, searches explain why
                log.warning("index not ready: %s", exc)
            yield

    app = FastAPI(
        title="Reply copilot",
        version="0.1.0",
        description="Draft replies, knowledge search and compliance for shop customer service. "
        "Every /v1 route needs `Authorization: Bearer <key>` when COPILOT_API_KEYS is set.",
        lifespan=lifespan,
    )
    app.state.hub = hub
    key_shops = settings.key_shops()
    app.state.api_keys = frozenset(key_shops)
    app.state.key_shops = {caller_id(key): shops for key, shops in key_shops.items()}
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.auth_failures = RateLimiter(FAILED_AUTH_PER_MINUTE)
    if settings.origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if not app.state.api_keys:
        app.add_middleware(LocalCallersOnly, hosts=settings.hosts)
    app.add_middleware(BodyTimeout, seconds=settings.body_timeout_seconds)
    app.state.metrics = ServiceMetrics()
    app.add_middleware(RequestTelemetry, metrics=app.state.metrics)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": safe_errors(exc.errors())})

    @app.exception_handler(CopilotError)
    async def copilot_error(_request: Request, exc: CopilotError) -> JSONResponse:
        return JSONResponse(status_code=_status_for(exc), content={"detail": str(exc)})

    app.include_router(health.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    guarded = [Depends(require_caller)]
    for router in (
        knowledge.router,
        drafts.router,
        compliance.router,
        feedback.router,
        shops.router,
    ):
        app.include_router(router, dependencies=guarded)
    return app
