"""Request body size limit, enforced before the body is read into memory."""

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
        body = json.dumps(
            {
                "detail": f"request body larger than {self.max_bytes} bytes "
                "(COPILOT_MAX_BODY_BYTES); send less"
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
