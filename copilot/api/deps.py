"""Annotated dependency aliases that keep route signatures short."""

from typing import Annotated

from fastapi import Depends, Request

from copilot.service import Copilot


def get_copilot(request: Request) -> Copilot:
    """The Copilot the app was created with."""
    return request.app.state.copilot


CopilotDep = Annotated[Copilot, Depends(get_copilot)]
