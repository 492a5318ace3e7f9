"""The agents' console (/) and the analytics page (/analytics): static files, no build step.

The pages call the API with the key the agent enters once (kept in the browser session).
"""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
def console() -> FileResponse:
    """The console: drafts, feedback and a compliance check for the agent's own replies."""
    return FileResponse(STATIC_DIR / "console.html")


@router.get("/analytics")
def analytics_page() -> FileResponse:
    """Charts of GET /v1/analytics."""
    return FileResponse(STATIC_DIR / "analytics.html")
