"""Settings from COPILOT_* environment variables and a .env file, overridable by CLI flags."""

import re
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from copilot.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def bundled_knowledge_dir() -> Path:
    """The sample shop shipped beside the package (source checkout or editable install)."""
    return REPO_DIR / "knowledge"


def bundled_prompts_dir() -> Path:
    """The LLM prompt templates shipped beside the package."""
    return REPO_DIR / "prompts"


def _valid_key(key: str, where: str) -> str:
    """The key, if it can travel in an HTTP header: printable ASCII without spaces."""
    if not all("!" <= char <= "~" for char in key):
        raise ConfigError(
            f"{where}: an API key must be printable ASCII without spaces (letters, digits, "
            "punctuation); generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return key


SHOP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _key_entry(entry: str, where: str) -> tuple[str, frozenset[str] | None]:
    """`KEY` or `KEY shop-a,shop-b` from a keys file line."""
    key, _, rest = entry.partition(" ")
    rest = rest.strip()
    if not rest:
        return _valid_key(key, where), None
    if " " in rest.replace(", ", ","):
        raise ConfigError(
            f"{where}: expected 'KEY' or 'KEY shop-a,shop-b' (shops separated by commas)"
        )
    shops = [shop.strip() for shop in rest.split(",") if shop.strip()]
    for shop in shops:
        if not SHOP_ID.match(shop):
            raise ConfigError(
                f"{where}: {shop!r} is not a shop id (letters, digits, '-' and '_', at most 64)"
            )
    return _valid_key(key, where), frozenset(shops)


class Settings(BaseSettings):
    """Everything the copilot can be configured with; one field per COPILOT_ variable."""

    model_config = SettingsConfigDict(env_prefix="COPILOT_", env_file=".env", extra="ignore")

    knowledge_dir: Path = Field(
        default_factory=bundled_knowledge_dir,
        description="Knowledge directory to ingest (products/, rules/, scripts/, compliance/).",
    )
    data_dir: Path = Field(
        default=Path(".copilot"),
        description="Where the embedded Chroma index and other state live.",
    )
    embeddings: str = Field(
        default="use-multilingual",
        description="Embedding backend: use-multilingual | sentence-transformers:<name or path> "
        "| openai:<model>.",
    )
    embedding_threads: int = Field(
        default=2,
        ge=1,
        le=64,
        description="BLAS threads per process for the use-multilingual encoder; `copilot serve "
        "--workers N` sets 1 so N processes do not fight over the cores.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (chroma run); unset means embedded Chroma in data_dir.",
    )
    collection: str = Field(
        default="knowledge",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,100}[A-Za-z0-9]$",
        description="Chroma collection name (3+ characters: letters, digits, '.', '_', '-').",
    )
    openai_base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible API (embeddings backend)."
    )
    openai_api_key: str | None = Field(default=None, description="API key for openai_base_url.")
    shop: str = Field(
        default="default",
        min_length=1,
        max_length=64,
        description="Name of the shop whose knowledge this server serves; a draft request naming "
        "another shop is refused. Ignored with COPILOT_SHOPS_DIR.",
    )
    shops_dir: Path | None = Field(
        default=None,
        description="Serve many shops: each subdirectory is one shop's knowledge directory and "
        "its name (letters, digits, '-', '_') the shop id. Unset: one shop, COPILOT_KNOWLEDGE_DIR.",
    )
    max_loaded_shops: int = Field(
        default=64,
        ge=1,
        le=100_000,
        description="With COPILOT_SHOPS_DIR, how many shops' indexes stay loaded; the least "
        "recently used one is unloaded beyond it (and loaded again on its next request).",
    )
    intent_confidence_floor: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Intent confidence below which the first draft asks a short clarifying "
        "question instead of guessing (0 turns clarifying off).",
    )
    gap_threshold: float = Field(
        default=0.33,
        ge=0,
        le=2,
        description="Relevance (cosine + 0.3 x lexical coverage) a fact needs to count as an "
        "answer; below it for every fact, the question is a knowledge gap. Tuned for "
        "use-multilingual.",
    )
    llm_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint for drafting (OpenAI, DeepSeek, Qwen, vLLM, "
        "Ollama); unset with llm_model set means api.openai.com.",
    )
    llm_model: str | None = Field(
        default=None, description="Chat model for drafting; unset means the offline drafter."
    )
    llm_api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("COPILOT_LLM_API_KEY", "OPENAI_API_KEY", "llm_api_key"),
        description="API key for the LLM endpoint (COPILOT_LLM_API_KEY or OPENAI_API_KEY).",
    )
    llm_timeout: float = Field(
        default=8.0, gt=0, le=120, description="Seconds to wait for the LLM before falling back."
    )
    prompts_dir: Path = Field(
        default_factory=bundled_prompts_dir, description="Folder of the LLM prompt templates."
    )
    api_keys: str = Field(
        default="",
        description="Comma-separated API keys accepted as `Authorization: Bearer <key>`; with "
        "none configured the API is open and `copilot serve` binds loopback only.",
    )
    api_keys_file: Path | None = Field(
        default=None, description="File with one API key per line (# comments allowed)."
    )
    rate_limit_per_minute: int = Field(
        default=600, ge=1, description="Requests per minute allowed per API key (per worker)."
    )
    max_body_bytes: int = Field(
        default=65_536, ge=1024, description="Largest request body accepted (413 above it)."
    )
    cors_origins: str = Field(
        default="", description="Comma-separated origins allowed to call the API from a browser."
    )
    allowed_hosts: str = Field(
        default="127.0.0.1,localhost,::1",
        description="Without API keys, the Host names requests may carry (DNS rebinding: a web "
        "page's own host name pointed at 127.0.0.1 is refused).",
    )
    body_timeout_seconds: float = Field(
        default=15.0,
        gt=0,
        le=600,
        description="A client that stops sending its request body this long gets 408.",
    )
    host: str = Field(default="127.0.0.1", description="Address `copilot serve` binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `copilot serve` binds.")
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant.")
    memory_search_max: int = Field(
        default=50_000,
        ge=0,
        description="Indexes with up to this many chunks keep their vectors in memory and are "
        "searched exactly (fast); larger ones are searched through Chroma.",
    )
    candidates: int = Field(
        default=30, ge=5, le=500, description="Candidates each retriever contributes to fusion."
    )

    @field_validator("embeddings")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        kind = value.split(":", 1)[0]
        if kind not in {"use-multilingual", "sentence-transformers", "openai"}:
            raise ValueError(
                f"unknown embeddings backend {value!r}; use 'use-multilingual', "
                "'sentence-transformers:<model>' or 'openai:<model>'"
            )
        if kind != "use-multilingual" and not value.partition(":")[2]:
            raise ValueError(f"embeddings backend {kind!r} needs a model: '{kind}:<model>'")
        return value

    @field_validator("chroma_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"chroma_url must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _llm_needs_model(self):
        if self.llm_base_url and not self.llm_model:
            raise ValueError(
                "COPILOT_LLM_BASE_URL is set but COPILOT_LLM_MODEL is not; name the chat model "
                "to draft with, or unset COPILOT_LLM_BASE_URL for offline drafting"
            )
        return self

    def keys(self) -> frozenset[str]:
        """Every accepted API key: COPILOT_API_KEYS plus the keys file."""
        return frozenset(self.key_shops())

    def key_shops(self) -> dict[str, frozenset[str] | None]:
        """Each accepted API key with the shops it may use (None: every shop).

        Keys file lines are `KEY` or `KEY shop-a,shop-b`; COPILOT_API_KEYS keys may use every shop.
        """
        keys: dict[str, frozenset[str] | None] = {}
        for number, key in enumerate(self.api_keys.split(","), 1):
            if key.strip():
                keys[_valid_key(key.strip(), f"COPILOT_API_KEYS entry {number}")] = None
        if self.api_keys_file is not None:
            try:
                lines = self.api_keys_file.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or str(exc)
                raise ConfigError(
                    f"COPILOT_API_KEYS_FILE {self.api_keys_file} cannot be read ({reason})"
                ) from exc
            for number, line in enumerate(lines, 1):
                entry = line.strip()
                if entry and not entry.startswith("#"):  # indented comments are comments too
                    where = f"COPILOT_API_KEYS_FILE {self.api_keys_file} line {number}"
                    key, shops = _key_entry(entry, where)
                    keys[key] = shops
        return keys

    def check_exposure(self) -> None:
        """Refuse to serve an open API beyond this machine: no keys means loopback only."""
        if self.host in LOOPBACK_HOSTS or self.keys():
            return
        raise ConfigError(
            f"refusing to bind {self.host} without API keys: anyone who can reach it could use "
            "the API. Set COPILOT_API_KEYS (or COPILOT_API_KEYS_FILE), or bind 127.0.0.1"
        )

    @property
    def hosts(self) -> frozenset[str]:
        """Host names accepted without API keys."""
        return frozenset(h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip())

    @property
    def origins(self) -> list[str]:
        """Browser origins allowed by CORS."""
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def llm_enabled(self) -> bool:
        """Drafts come from the LLM (with offline fallback) when a model is configured."""
        return bool(self.llm_model)

    @property
    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma database."""
        return self.data_dir / "chroma"


def load_settings(**overrides) -> Settings:
    """Build settings from the environment plus explicit overrides (None values are ignored)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(
            (f"COPILOT_{'_'.join(str(p) for p in e['loc']).upper()}: " if e["loc"] else "")
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from exc


@lru_cache
def get_settings() -> Settings:
    """Process-wide settings from the environment; built on first use, never at import."""
    return load_settings()
