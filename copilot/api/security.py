"""API keys and per-key rate limits: who may call, and how often."""

import hashlib
import hmac
import math
import threading
import time
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

_bearer = HTTPBearer(auto_error=False, description="An API key from COPILOT_API_KEYS.")


class RateLimiter:
    """A token bucket per caller: `per_minute` requests a minute, bursts up to the same."""

    def __init__(self, per_minute: int):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, caller: str) -> float:
        """0 when the caller may go ahead (a token is taken), else seconds until it may."""
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(caller, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.rate)
            if tokens >= 1.0:
                self._buckets[caller] = (tokens - 1.0, now)
                return 0.0
            self._buckets[caller] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def exhausted(self, caller: str) -> bool:
        """Whether the caller has no token left now (nothing is taken)."""
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(caller, (self.capacity, now))
            return min(self.capacity, tokens + (now - stamp) * self.rate) < 1.0


# failed authentications a client may make a minute before it is told to wait
FAILED_AUTH_PER_MINUTE = 10
TOO_MANY_FAILURES = "too many failed authentications from this client"


def _known(key: str, keys: frozenset[str]) -> bool:
    """Constant-time comparison as bytes: a key with any characters is simply not known."""
    given = key.encode("utf-8", "surrogateescape")
    return any(hmac.compare_digest(given, known.encode("ascii")) for known in keys)


def caller_id(key: str) -> str:
    """The caller's identity: a hash of the whole key (keys sharing a suffix are two callers)."""
    return "key:" + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _too_many(limiter: RateLimiter, who: str, what: str) -> HTTPException | None:
    wait = limiter.retry_after(who)
    if wait <= 0:
        return None
    return HTTPException(
        status_code=429,
        detail=f"{what}; retry after {math.ceil(wait)} s",
        headers={"Retry-After": str(math.ceil(wait))},
    )


async def require_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The caller's identity, admitted only with a valid key and within its rate limit.

    The identity is a hash of the key; with no keys configured the server listens on loopback
    only, callers are trusted and not rate limited. A client that fails authentication
    FAILED_AUTH_PER_MINUTE times a minute gets 429 until it waits, even with the right key.
    """
    keys: frozenset[str] = request.app.state.api_keys
    if not keys:  # no keys: the server only listens on loopback, and every local caller is trusted
        return "local"
    client = request.client.host if request.client else "unknown"
    failures: RateLimiter = request.app.state.auth_failures
    if failures.exhausted(client):
        raise _too_many(failures, client, TOO_MANY_FAILURES)
    if credentials is None or not _known(credentials.credentials, keys):
        refused = _too_many(failures, client, TOO_MANY_FAILURES)
        if refused is not None:
            raise refused
        detail = (
            "missing API key: send 'Authorization: Bearer <key>' (COPILOT_API_KEYS)"
            if credentials is None
            else "unknown API key: check the key against COPILOT_API_KEYS"
        )
        raise HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})
    caller = caller_id(credentials.credentials)
    limiter: RateLimiter = request.app.state.rate_limiter
    refused = _too_many(
        limiter,
        caller,
        f"rate limit of {limiter.capacity:g} requests per minute reached "
        "(COPILOT_RATE_LIMIT_PER_MINUTE)",
    )
    if refused is not None:
        raise refused
    return caller


CallerDep = Annotated[str, Depends(require_caller)]
