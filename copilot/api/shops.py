"""The shops a caller may use: the console's shop selector and operators' checks."""

from dataclasses import asdict

from fastapi import APIRouter

from copilot.api.deps import AccessDep
from copilot.api.schemas import ShopInfo, ShopsResponse

router = APIRouter(prefix="/v1/shops", tags=["shops"])


@router.get("", response_model=ShopsResponse)
def list_shops(access: AccessDep) -> ShopsResponse:
    """The shops this API key may use, with chunk counts, last ingest and health.

    With one shop served (no COPILOT_SHOPS_DIR) the list has that shop and `many` is false.
    """
    statuses = access.hub.status(access.shops())
    return ShopsResponse(
        many=access.hub.many, shops=[ShopInfo(**asdict(status)) for status in statuses]
    )
