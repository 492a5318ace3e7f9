"""Annotated dependency aliases that keep route signatures short."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from copilot.api.security import CallerDep
from copilot.api.telemetry import ServiceMetrics
from copilot.service import Copilot
from copilot.shops import ShopHub


async def get_hub(request: Request) -> ShopHub:
    """The shops the app serves."""
    return request.app.state.hub


HubDep = Annotated[ShopHub, Depends(get_hub)]


@dataclass
class Access:
    """What one caller may use: the deployment's shops, limited to its API key's."""

    hub: ShopHub
    allowed: frozenset[str] | None  # None: every shop

    def copilot(self, shop: str | None) -> Copilot:
        """The Copilot of the named shop (or the only one), or a 404/403/422 error."""
        return self.hub.get(self.hub.resolve(shop, self.allowed))

    def shops(self) -> list[str]:
        """The served shops this caller may use."""
        return [s for s in self.hub.shops() if self.allowed is None or s in self.allowed]


async def get_access(request: Request, caller: CallerDep) -> Access:
    """The caller's access, from the shops its key is bound to in the keys file."""
    allowed = request.app.state.key_shops.get(caller)
    return Access(request.app.state.hub, allowed)


AccessDep = Annotated[Access, Depends(get_access)]


async def get_metrics(request: Request) -> ServiceMetrics:
    """The app's Prometheus metrics."""
    return request.app.state.metrics


MetricsDep = Annotated[ServiceMetrics, Depends(get_metrics)]
