"""One deployment, many shops: which shops are served, and one Copilot per shop on demand.

With COPILOT_SHOPS_DIR each subdirectory is a shop's knowledge directory and its name the shop
id; each shop has its own Chroma collection (embedded or on the shared server), lexicon,
playbook overrides and feedback rows, and shares the process's embeddings and models. Shops
load on first use and the least recently used is unloaded beyond COPILOT_MAX_LOADED_SHOPS. The
directory is re-read every few seconds, so a shop added or removed is noticed without a
restart. Without COPILOT_SHOPS_DIR the deployment serves one shop (COPILOT_SHOP) from
COPILOT_KNOWLEDGE_DIR, as before.
"""

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from copilot.config import SHOP_ID, Settings
from copilot.errors import (
    ConfigError,
    CopilotError,
    ShopForbiddenError,
    ShopRequiredError,
    UnknownShopError,
)
from copilot.feedback.analytics import Analytics, compute_analytics
from copilot.feedback.store import FeedbackStore, UnknownRequestError
from copilot.index.chroma import ChromaConnection, ChromaStore
from copilot.index.embeddings import CopilotEmbeddings
from copilot.service import Copilot

log = logging.getLogger(__name__)

RESCAN_SECONDS = 2.0
NAMED_IN_ERRORS = 10


COLLECTION_PREFIX, COLLECTION_SUFFIX = "shop-", "-knowledge"


def collection_for(shop: str) -> str:
    """The Chroma collection of a shop (a valid Chroma name for every shop id)."""
    return f"{COLLECTION_PREFIX}{shop}{COLLECTION_SUFFIX}"


def shop_settings(settings: Settings, shop: str) -> Settings:
    """The settings one shop of a shops directory is served with."""
    if settings.shops_dir is None:
        return settings
    return settings.model_copy(
        update={
            "shop": shop,
            "knowledge_dir": settings.shops_dir / shop,
            "collection": collection_for(shop),
        }
    )


def scan_shops(shops_dir: Path) -> list[str]:
    """The shop ids of a shops directory: its subdirectories named as ids, sorted."""
    try:
        entries = list(shops_dir.iterdir())
    except OSError as exc:
        raise ConfigError(
            f"COPILOT_SHOPS_DIR {shops_dir} cannot be read ({exc.strerror or exc}); "
            "point it at a directory with one knowledge directory per shop"
        ) from exc
    shops = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            continue
        if not SHOP_ID.match(entry.name):
            log.warning(
                "%s is not served: a shop id has only letters, digits, '-' and '_' (at most 64)",
                entry,
            )
            continue
        shops.append(entry.name)
    return sorted(shops)


def _not_ingested(shop: str) -> str:
    return f"not ingested: run `copilot ingest --shop {shop}`"


def _named(shops: Collection[str]) -> str:
    listed = sorted(shops)
    more = len(listed) - NAMED_IN_ERRORS
    text = ", ".join(listed[:NAMED_IN_ERRORS])
    return text + (f" and {more} more" if more > 0 else "") if listed else "none"


class ShopFactory(Protocol):
    """What a hub builds shops with (container.CopilotFactory): the parts shops share."""

    connection: ChromaConnection
    embeddings: CopilotEmbeddings

    def build(self, settings: Settings) -> Copilot:
        """The Copilot of the shop these settings name."""
        ...

    def feedback(self) -> FeedbackStore:
        """The deployment's one feedback database."""
        ...

    def warm_up(self) -> None:
        """Load the shared models before the first request."""
        ...


class _OneCopilot:
    """A factory that has one Copilot already built."""

    def __init__(self, copilot: Copilot):
        self.copilot = copilot
        self.connection = copilot.store.connection
        self.embeddings = copilot.embeddings

    def build(self, _settings: Settings) -> Copilot:
        """The one Copilot, whatever the settings."""
        return self.copilot

    def feedback(self) -> FeedbackStore:
        """The Copilot's feedback database."""
        return self.copilot.feedback

    def warm_up(self) -> None:
        """Warm the Copilot up."""
        self.copilot.warm_up()


@dataclass
class ShopStatus:
    """One line of `copilot shops`: a shop's index and its health."""

    shop: str
    chunks: int | None
    ingested_at: float | None
    loaded: bool
    problem: str | None


class ShopHub:
    """The shops a deployment serves, each with its Copilot, built when first asked for."""

    def __init__(self, settings: Settings, factory: "ShopFactory"):
        self.settings = settings
        self.factory = factory
        self.connection = factory.connection
        self.rescan_seconds = RESCAN_SECONDS
        self._loaded: OrderedDict[str, Copilot] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._shops: list[str] = []
        self._scanned_at = float("-inf")

    @classmethod
    def single(cls, copilot: Copilot) -> "ShopHub":
        """A deployment of one shop around an existing Copilot (tests, one-shop serving)."""
        hub = cls(copilot.settings, _OneCopilot(copilot))
        hub._loaded[copilot.shop] = copilot
        return hub

    @property
    def many(self) -> bool:
        """Whether this deployment serves a shops directory (requests must name the shop)."""
        return self.settings.shops_dir is not None

    def shops(self) -> list[str]:
        """The ids of the shops served now (the shops directory is re-read every few seconds)."""
        if not self.many:
            return [self.settings.shop]
        now = time.monotonic()
        with self._lock:
            if now - self._scanned_at < self.rescan_seconds:
                return list(self._shops)
        assert self.settings.shops_dir is not None
        shops = scan_shops(self.settings.shops_dir)
        with self._lock:
            self._shops, self._scanned_at = shops, now
            for gone in [shop for shop in self._loaded if shop not in shops]:
                del self._loaded[gone]
                log.info("shop %s is no longer in the shops directory: unloaded", gone)
        return shops

    def resolve(self, shop: str | None, allowed: frozenset[str] | None = None) -> str:
        """The shop a request is for; the errors name the problem (404, 403, 422).

        allowed: the shops the caller's API key may use (None: every shop).
        """
        served = self.shops()
        if shop is None:
            usable = served if allowed is None else [s for s in served if s in allowed]
            if len(served) == 1 and usable:
                return served[0]
            if len(usable) == 1 and self.many:
                return usable[0]
            raise ShopRequiredError(
                f"this server serves several shops: name one in 'shop' ({_named(usable)})"
            )
        if shop not in served:
            raise self._unknown(shop, served)
        if allowed is not None and shop not in allowed:
            raise ShopForbiddenError(f"this API key may not use shop {shop!r}")
        return shop

    def _unknown(self, shop: str, served: list[str]) -> UnknownShopError:
        return UnknownShopError(
            f"unknown shop {shop!r}: this server serves {_named(served)}"
            + ("" if self.many else " (set COPILOT_SHOP, or leave 'shop' out)")
        )

    def get(self, shop: str) -> Copilot:
        """The shop's Copilot, built on first use; the least recently used beyond the limit goes."""
        served = self.shops()
        if shop not in served:
            raise self._unknown(shop, served)
        with self._lock:
            copilot = self._loaded.get(shop)
            if copilot is not None:
                self._loaded.move_to_end(shop)
                return copilot
            building = self._building.setdefault(shop, threading.Lock())
        with building:  # one build per shop at a time; other shops do not wait
            with self._lock:
                copilot = self._loaded.get(shop)
            if copilot is None:
                started = time.perf_counter()
                copilot = self.factory.build(shop_settings(self.settings, shop))
                log.info("shop %s loaded in %.0f ms", shop, (time.perf_counter() - started) * 1e3)
            with self._lock:
                self._loaded[shop] = copilot
                self._loaded.move_to_end(shop)
                while len(self._loaded) > self.settings.max_loaded_shops:
                    evicted, _ = self._loaded.popitem(last=False)
                    log.info("shop %s unloaded (COPILOT_MAX_LOADED_SHOPS)", evicted)
        return copilot

    def analytics(
        self, shops: Collection[str] | None, since: float | None = None, until: float | None = None
    ) -> Analytics:
        """Analytics over the traffic of these shops (None: every response recorded)."""
        totals = self.factory.feedback().totals(since, until, shops)
        return compute_analytics(totals, self.factory.embeddings)

    def shop_of_request(self, request_id: str) -> str | None:
        """The shop a served response belongs to (for feedback on it).

        Raises UnknownRequestError for an unknown id, and with several shops for a response
        recorded before the deployment served several (no shop to give the feedback to).
        """
        shop = self.factory.feedback().shop_of(request_id)
        if not self.many:
            return None
        if shop is None:
            raise UnknownRequestError(
                f"request_id {request_id!r} was served before this deployment served several "
                "shops: its feedback cannot be given to a shop"
            )
        return shop

    def orphans(self) -> list[str]:
        """Collections of shops no longer in the shops directory (left by removed shops)."""
        if not self.many:
            return []
        served = {collection_for(shop) for shop in self.shops()}
        return sorted(
            name
            for name in self.connection.collection_names()
            if name.startswith(COLLECTION_PREFIX)
            and name.endswith(COLLECTION_SUFFIX)
            and name not in served
        )

    def prune(self) -> list[str]:
        """Delete the collections of removed shops; the names deleted."""
        gone = self.orphans()
        for name in gone:
            self.connection.delete_collection(name)
        return gone

    def warm_up(self) -> None:
        """One shop: load its index and models now. Many: the shared models (shops load lazily)."""
        if not self.many:
            self.get(self.settings.shop).warm_up()
        else:
            self.factory.warm_up()

    def loaded(self) -> list[str]:
        """The shops whose Copilot is in memory, least recently used first."""
        with self._lock:
            return list(self._loaded)

    def status(self, shops: Collection[str] | None = None) -> list[ShopStatus]:
        """Chunk count, last ingest and health of each shop, without loading any."""
        wanted = self.shops() if shops is None else list(shops)
        loaded = set(self.loaded())
        lines = []
        for shop in wanted:
            try:
                info = ChromaStore(shop_settings(self.settings, shop), self.connection).info()
            except CopilotError as exc:
                lines.append(ShopStatus(shop, None, None, shop in loaded, str(exc)))
                continue
            problem = None
            if info.chunks is None:
                problem = _not_ingested(shop)
            elif info.chunks == 0:
                problem = "the knowledge index is empty"
            lines.append(ShopStatus(shop, info.chunks, info.ingested_at, shop in loaded, problem))
        return lines

    def readiness(self) -> tuple[bool, dict[str, str | None]]:
        """Whether to take traffic, and each dependency's problem (None when it is fine).

        One shop: as before (the index, Chroma, the lexicon). Many: Chroma must answer and at
        least one shop be ingested; a shop that is not (`shop:ID`) is listed but does not take
        the others out of service. No shop is loaded to answer.
        """
        if not self.many:
            checks = self.get(self.settings.shop).readiness()
            return not any(checks.values()), checks
        checks: dict[str, str | None] = {}
        try:
            built = set(self.connection.collection_names())
            checks["chroma"] = None
        except CopilotError as exc:
            return False, {"chroma": str(exc)}
        for shop in self.shops():
            missing = collection_for(shop) not in built
            checks[f"shop:{shop}"] = _not_ingested(shop) if missing else None
        ready = any(
            name.startswith("shop:") and problem is None for name, problem in checks.items()
        )
        if not ready:
            checks["shops"] = (
                "no shop is ingested"
                if self.shops()
                else (f"no shop in COPILOT_SHOPS_DIR {self.settings.shops_dir}")
            )
        return ready, checks
