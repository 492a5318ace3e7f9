"""Prompt templates as files (prompts/*.md), rendered from a typed context.

No prompt f-strings inside the pipeline, and a shop can edit wording without touching code.
"""

from pathlib import Path
from string import Template

from pydantic import BaseModel

from copilot.errors import ConfigError


class DraftPromptContext(BaseModel):
    """Everything the draft prompts may mention; customer text arrives already quoted as JSON."""

    shop: str
    n: int
    intent: str
    stage: str
    emotion: str
    urgency: str
    escalation: str
    order: str
    knowledge: str
    history: str
    message: str


class PromptLibrary:
    """Loads templates once; render() fails loudly on a missing file or placeholder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._templates: dict[str, Template] = {}

    def template(self, name: str) -> Template:
        """The template prompts/<name>.md."""
        if name not in self._templates:
            path = self.folder / f"{name}.md"
            try:
                self._templates[name] = Template(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise ConfigError(
                    f"prompt template {path} cannot be read ({exc.strerror}); "
                    "set COPILOT_PROMPTS_DIR to a folder with draft_system.md and draft_user.md"
                ) from exc
        return self._templates[name]

    def render(self, name: str, context: BaseModel) -> str:
        """A template filled from a pydantic context."""
        try:
            return self.template(name).substitute(context.model_dump())
        except KeyError as exc:
            raise ConfigError(
                f"prompt template {self.folder / (name + '.md')} uses ${exc.args[0]}, which the "
                f"context does not provide (available: {', '.join(type(context).model_fields)})"
            ) from exc
