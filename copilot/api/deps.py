"""Annotated dependency aliases that keep route signatures short."""

from typing import Annotated

from fastapi import Depends, Request

from copilot.api.telemetry import ServiceMetrics
from copilot.service import Copilot


async def get_copilot(request: Request) -> Copilot:
    """The Copilot the app was created with."""
    return request.app.state.copilot


CopilotDep = Annotated[Copilot, Depends(get_copilot)]


async def get_metrics(request: Request) -> ServiceMetrics:
    """The app's Prometheus metrics."""
    return request.app.state.metrics


MetricsDep = Annotated[ServiceMetrics, Depends(get_metrics)]
