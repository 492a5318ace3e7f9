"""The drafter contract: one method, so the offline composer, the LLM and test fakes swap freely."""

from typing import Protocol

from copilot.drafting.context import DraftContext
from copilot.schemas import Draft


class Drafter(Protocol):
    """Turns a grounded context into up to n drafts (raises LLMError when it cannot)."""

    name: str

    def generate(self, context: DraftContext, n: int) -> list[Draft]:
        """Up to n drafts, each citing only chunks of the context."""
        ...
