"""Prometheus metrics, request ids and one structured JSON log line per request."""

import json
import logging
import re
import time
import uuid

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from copilot.compliance.guard import CheckResult
from copilot.personal_data import mask as mask_pii
from copilot.schemas import DraftResponse

access_log = logging.getLogger("copilot.access")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class ServiceMetrics:
    """The service's Prometheus metrics, in a registry of its own (one per app)."""

    def __init__(self):
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Histogram(
            "copilot_request_seconds",
            "HTTP request latency by route",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.drafts = Counter(
            "copilot_drafts_total", "Draft responses by mode", ["mode"], registry=r
        )
        self.llm_failures = Counter(
            "copilot_llm_failures_total",
            "LLM calls replaced by offline drafts",
            ["kind"],
            registry=r,
        )
        self.escalations = Counter(
            "copilot_escalations_total", "Messages handed to a senior colleague", registry=r
        )
        self.knowledge_gaps = Counter(
            "copilot_knowledge_gaps_total", "Messages the knowledge does not answer", registry=r
        )
        self.compliance_hits = Counter(
            "copilot_compliance_hits_total",
            "Lexicon hits by category, in drafts (removed) and checked texts",
            ["category", "where"],
            registry=r,
        )

    def observe_draft(self, response: DraftResponse) -> None:
        """Count what one draft response says about the service."""
        self.drafts.labels(response.mode).inc()
        if response.llm_error:
            self.llm_failures.labels(response.llm_error).inc()
        if response.escalate.needed:
            self.escalations.inc()
        if response.knowledge_gap:
            self.knowledge_gaps.inc()
        for draft in response.drafts:
            for hit in draft.compliance.removed:
                self.compliance_hits.labels(hit.category, "draft").inc()

    def observe_stream(self, name: str, data: dict) -> None:
        """Count a streamed response from its events (analysis, draft, fallback, done)."""
        if name == "analysis":
            if data["escalate"]["needed"]:
                self.escalations.inc()
            if data["knowledge_gap"]:
                self.knowledge_gaps.inc()
        elif name == "fallback":
            self.llm_failures.labels(data["llm_error"]).inc()
        elif name == "draft":
            for hit in data["compliance"]["removed"]:
                self.compliance_hits.labels(hit["category"], "draft").inc()
        elif name == "done":
            self.drafts.labels(data["mode"]).inc()

    def observe_check(self, result: CheckResult) -> None:
        """Count the hits of a compliance check."""
        for hit in result.hits:
            self.compliance_hits.labels(hit.category, "check").inc()


_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def caller_request_id(raw: bytes) -> str:
    """The caller's X-Request-ID when it is a plain token, else a new id.

    Headers are bytes: anything but a short ASCII token (invalid UTF-8, spaces, quotes) would
    break the response header or the log line, so it is replaced rather than decoded.
    """
    text = raw.decode("latin-1")
    return text if _REQUEST_ID.fullmatch(text) else uuid.uuid4().hex


class RequestTelemetry:
    """Gives every request an id, times it and writes one JSON access line.

    The id is the caller's X-Request-ID when it sends one, and is echoed in the response.
    """

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wrap one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = caller_request_id(dict(scope["headers"]).get(b"x-request-id", b""))
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def tagged_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, tagged_send)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.requests.labels(route, scope["method"], str(status)).observe(seconds)
            access_log.info(
                "request",
                extra={
                    "request_id": mask_pii(request_id),
                    "method": scope["method"],
                    "route": route,
                    "path": mask_pii(scope["path"]),
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any structured fields."""

    FIELDS = ("request_id", "method", "route", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON (personal data is masked by the filter on the handler)."""
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["error"] = mask_pii(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "copilot.log_masking.PersonalDataFilter"}},
    "formatters": {"json": {"()": "copilot.api.telemetry.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["personal_data"],
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "": {"handlers": ["console"], "level": "INFO"},
        "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}
