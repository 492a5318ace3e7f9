"""One error tree for the copilot; every message says what went wrong and how to fix it."""


class CopilotError(Exception):
    """Base of every error the copilot raises on purpose."""


class ConfigError(CopilotError):
    """A setting is missing or has a value the copilot cannot use."""


class _ProblemsError(CopilotError):
    """Every problem of some input, reported at once; `invalid` and `kept` complete the message."""

    invalid = ""
    kept = ""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{self.invalid} ({len(problems)} problem(s)), {self.kept}:\n{lines}")


class KnowledgeError(_ProblemsError):
    """The knowledge directory is missing or has invalid files."""

    invalid, kept = "knowledge is invalid", "nothing was written"


class TrainingDataError(CopilotError):
    """The labelled training data is invalid; no model was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"training data is invalid ({len(problems)} problem(s)), no model was written:\n{lines}"
        )


class ModelMissingError(CopilotError):
    """The understanding model file is missing or unreadable."""


class IndexStoreError(CopilotError):
    """The vector index cannot be used as it is."""


class IndexNotBuiltError(IndexStoreError):
    """No index exists yet for this data dir or Chroma server."""


class EmbeddingMismatchError(IndexStoreError):
    """The index was built with another embedding backend than the one configured."""


class IndexUnavailableError(IndexStoreError):
    """The Chroma store cannot be reached."""


class EmbeddingError(CopilotError):
    """An embedding backend failed or is not installed."""


class UnknownShopError(CopilotError):
    """A request named a shop this server does not serve."""


class ShopRequiredError(CopilotError):
    """Several shops are served and the request named none."""


class ShopForbiddenError(CopilotError):
    """The API key may not use the shop the request named."""


class LLMError(CopilotError):
    """The LLM could not produce usable drafts (the offline drafter takes over)."""


class LLMUnavailableError(LLMError):
    """The LLM endpoint refused the connection or answered with an error."""


class LLMTimeoutError(LLMError):
    """The LLM did not answer within the configured timeout."""


class LLMOutputError(LLMError):
    """The LLM answered, but not with valid, grounded drafts."""


def llm_error_kind(exc: LLMError) -> str:
    """The kind of LLM failure, as responses and metrics report it."""
    if isinstance(exc, LLMTimeoutError):
        return "timeout"
    if isinstance(exc, LLMUnavailableError):
        return "unavailable"
    if isinstance(exc, LLMOutputError):
        return "invalid_output"
    return "error"
