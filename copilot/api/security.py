"""API keys and per-key rate limits: who may call, and how often."""

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


def _known(key: str, keys: frozenset[str]) -> bool:
    return any(hmac.compare_digest(key, known) for known in keys)


async def require_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The caller's identity, admitted only with a valid key and within its rate limit.

    The identity is the key (its last characters); with no keys configured the server listens
    on loopback only, callers are trusted and not rate limited.
    """
    keys: frozenset[str] = request.app.state.api_keys
    if keys:
        if credentials is None:
            raise HTTPException(
                status_code=401,
                detail="missing API key: send 'Authorization: Bearer <key>' (COPILOT_API_KEYS)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not _known(credentials.credentials, keys):
            raise HTTPException(
                status_code=401,
                detail="unknown API key: check the key against COPILOT_API_KEYS",
                headers={"WWW-Authenticate": "Bearer"},
            )
        caller = "key:" + credentials.credentials[-6:]
    else:  # no keys: the server only listens on loopback, and every local caller is trusted
        return "local"
    wait = request.app.state.rate_limiter.retry_after(caller)
    if wait > 0:
        limit = request.app.state.rate_limiter.capacity
        raise HTTPException(
            status_code=429,
            detail=f"rate limit of {limit:g} requests per minute reached; retry after "
            f"{math.ceil(wait)} s (COPILOT_RATE_LIMIT_PER_MINUTE)",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    return caller


CallerDep = Annotated[str, Depends(require_caller)]
