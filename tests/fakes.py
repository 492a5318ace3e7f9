"""Scriptable fakes that implement the copilot's real protocols (no MagicMock)."""

from copilot.drafting.context import DraftContext
from copilot.schemas import Draft

PIECE = 5


class ScriptedDrafter:
    """A Drafter (and streaming drafter) whose answers are queued with enqueue().

    Every call is recorded in `history` as (method, intent, n).
    """

    name = "llm"

    def __init__(self):
        self._queue: list[list[Draft]] = []
        self.history: list[tuple[str, str, int]] = []

    def enqueue(self, *texts: str, strategy: str = "直接解答") -> None:
        """The next call answers with one draft per text."""
        self._queue.append([Draft(text=text, strategy=strategy) for text in texts])

    def _next(self, method: str, context: DraftContext, n: int) -> list[Draft]:
        self.history.append((method, context.intent, n))
        return self._queue.pop(0)[:n]

    def generate(self, context: DraftContext, n: int) -> list[Draft]:
        return self._next("generate", context, n)

    def stream(self, context: DraftContext, n: int):
        """Partial answers as the streaming LLM drafter yields them: text grows piece by piece."""
        drafts = self._next("stream", context, n)
        longest = max(len(d.text) for d in drafts)
        for end in range(PIECE, longest + PIECE, PIECE):
            yield [{"strategy": d.strategy, "text": d.text[:end]} for d in drafts]
        self._last = drafts

    def finish(self, answer, context: DraftContext, n: int) -> list[Draft]:
        return self._last[:n]
