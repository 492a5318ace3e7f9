"""Where drafts come from during an eval: the copilot in this process, or a running server."""

import time
from typing import Protocol

import httpx

from copilot.errors import CopilotError
from copilot.evaluation.cases import GoldenCase
from copilot.evaluation.metrics import Outcome
from copilot.schemas import DraftResponse
from copilot.service import Copilot

RETRIEVAL_K = 5


class Target(Protocol):
    """Answers a golden case: drafts plus the chunks retrieval ranks for its message."""

    name: str

    def answer(self, case: GoldenCase) -> Outcome:
        """The outcome for one case (errors are recorded, not raised)."""
        ...


class InProcessTarget:
    """The copilot core, called directly (offline or LLM mode, as its settings say)."""

    def __init__(self, copilot: Copilot):
        self.copilot = copilot
        self.name = "in-process (LLM)" if copilot.llm else "in-process (offline)"

    def answer(self, case: GoldenCase) -> Outcome:
        """Draft, then search (the search is not timed)."""
        started = time.perf_counter()
        try:
            response = self.copilot.draft(case.request(), record=False)
        except CopilotError as exc:
            return Outcome(None, error=str(exc))
        latency = (time.perf_counter() - started) * 1000
        hits = self.copilot.search_knowledge(case.message, RETRIEVAL_K, sku=case.sku)
        return Outcome(response, [hit.id for hit in hits], latency)


class HttpTarget:
    """A running deployment, over its public API (so users can benchmark their servers)."""

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        timeout: float = 30.0,
        client: httpx.Client | None = None,
    ):
        self.name = url
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = client or httpx.Client(
            base_url=url.rstrip("/"), headers=headers, timeout=timeout
        )

    def answer(self, case: GoldenCase) -> Outcome:
        """POST /v1/drafts, then GET /v1/knowledge/search."""
        body = case.request().model_dump(mode="json", exclude_none=True)
        started = time.perf_counter()
        try:
            response = self.client.post("/v1/drafts", json=body)
        except httpx.HTTPError as exc:
            return Outcome(None, error=f"cannot reach {self.name}: {exc}")
        latency = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            return Outcome(
                None,
                latency_ms=latency,
                error=f"HTTP {response.status_code}: {response.text[:200]}",
            )
        params = {"q": case.message, "k": RETRIEVAL_K}
        if case.sku:
            params["sku"] = case.sku
        found = self.client.get("/v1/knowledge/search", params=params)
        retrieved = [hit["id"] for hit in found.json()["results"]] if found.is_success else []
        return Outcome(DraftResponse.model_validate(response.json()), retrieved, latency)
