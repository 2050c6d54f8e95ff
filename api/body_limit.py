"""A cap on request bodies, enforced before any route runs, so a refused body writes nothing."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """Answers 413 to a body over `max_bytes`, reading no more than `max_bytes` + one chunk.

    A declared Content-Length is trusted (the server stops the body at it) and judged at once.
    A body without one (chunked) is read up to the cap before the app starts, then handed on
    as it came: the routes read whole JSON bodies anyway, so buffering costs them nothing.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None:
            if declared > self.max_bytes:
                await self._refuse(send)
                return
            await self.app(scope, receive, send)
            return
        buffered = await self._read_capped(receive)
        if buffered is None:
            await self._refuse(send)
            return
        await self.app(scope, _replay(buffered, receive), send)

    async def _read_capped(self, receive: Receive) -> list[Message] | None:
        """The body's messages, or None as soon as they pass the cap."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages  # the client left: the app sees it as it would have
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                return None
            if not message.get("more_body", False):
                return messages

    async def _refuse(self, send: Send) -> None:
        detail = f"body: larger than the {self.max_bytes} bytes accepted"
        payload = json.dumps({"detail": detail, "field": "body"}).encode()
        # The rest of the body is never read: close the connection rather than parse it.
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name.lower() == b"content-length" and value.isdigit():
            return int(value)
    return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that gives the buffered messages back first, then the live ones."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
