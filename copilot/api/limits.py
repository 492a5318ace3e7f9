"""Limits enforced before a request reaches a route.

Body size, body read time, and the local-caller rules of a server without API keys.
"""

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """413 for bodies above max_bytes, by Content-Length or by counting a streamed body."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 413 once the body is known to be too large."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._reject(send)
            return
        if length is not None:  # the server stops reading at Content-Length
            await self.app(scope, receive, send)
            return
        # a streamed body: buffer it up to the limit, then replay it to the app
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            messages.append(message)
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await self._reject(send)
                return
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        replay = iter(messages)

        async def replaying_receive() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replaying_receive, send)

    async def _reject(self, send: Send) -> None:
        detail = (
            f"request body larger than {self.max_bytes} bytes (COPILOT_MAX_BODY_BYTES); send less"
        )
        await answer(send, 413, detail)


async def answer(send: Send, status: int, detail: str) -> None:
    """A JSON error response sent straight from a middleware."""
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyTimeout:
    """408 for a client that stalls while sending its body: a worker is never held forever."""

    def __init__(self, app: ASGIApp, seconds: float):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a receive that gives up after `seconds` of silence."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        async def timed_receive() -> Message:
            return await asyncio.wait_for(receive(), self.seconds)

        try:
            await self.app(scope, timed_receive, tracked_send)
        except TimeoutError:
            if not started:
                detail = f"request body not received within {self.seconds:g} s"
                await answer(send, 408, detail + " (COPILOT_BODY_TIMEOUT_SECONDS)")


class LocalCallersOnly:
    """Without API keys: only loopback Host names, and state changes only as JSON.

    A web page cannot then reach the API through DNS rebinding (its own host name pointed at
    127.0.0.1) nor with a body-less or form cross-origin POST, which browsers send without asking.
    """

    def __init__(self, app: ASGIApp, hosts: frozenset[str]):
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what a browser on another site could send; pass the rest on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        host = _host_name(headers.get(b"host", b"").decode("latin-1"))
        if host not in self.hosts:
            allowed = ", ".join(sorted(self.hosts))
            detail = (
                f"Host {host!r} is not served without API keys (COPILOT_ALLOWED_HOSTS: {allowed})"
            )
            await answer(send, 421, detail)
            return
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if scope["method"] == "POST" and content_type != b"application/json":
            detail = "send state-changing requests as JSON (Content-Type: application/json)"
            await answer(send, 415, detail)
            return
        await self.app(scope, receive, send)


def _host_name(host: str) -> str:
    """The name in a Host header: [::1]:8000 is ::1, localhost:8000 is localhost."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
