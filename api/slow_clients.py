"""Cuts connections whose request headers or body arrive too slowly (slow-loris clients).

uvicorn bounds only the idle time between requests (keep-alive); a client that sends its
headers a byte at a time holds a connection, and a slot of the connection cap, for as long as
it likes. This protocol adds two deadlines on top of uvicorn's h11 protocol:

- headers: complete within `header_seconds` of the connection opening, or of the first byte
  of a later request on a kept-alive connection;
- body: complete within `body_seconds` of the headers.

Past either, the connection is closed; a route still reading the body sees the client leave.
"""

from __future__ import annotations

import asyncio
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger("uvicorn.error")


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with header and body read deadlines (set by `with_deadlines`)."""

    header_seconds: float = 10.0
    body_seconds: float = 30.0

    _deadline: asyncio.TimerHandle | None = None
    _waiting_for: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch(started=True)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch(started=bool(data))

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Between requests uvicorn's keep-alive timeout applies; the header deadline starts
        # again with the next request's first byte.
        self._watch(started=False)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def _watch(self, *, started: bool) -> None:
        """Arms the deadline of what the connection now waits for, or cancels it."""
        state = self.conn.their_state
        if state is h11.IDLE:
            waiting, seconds = "headers", self.header_seconds
        elif state is h11.SEND_BODY:
            waiting, seconds = "body", self.body_seconds
        else:
            self._cancel()  # the request is in: the app's time is not the client's
            return
        if waiting == self._waiting_for:
            return
        self._cancel()
        if waiting == "headers" and not started:
            return
        self._waiting_for = waiting
        self._deadline = self.loop.call_later(seconds, self._expire, waiting, seconds)

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._waiting_for = None, None

    def _expire(self, waiting: str, seconds: float) -> None:
        self._deadline, self._waiting_for = None, None
        if self.transport.is_closing():
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        logger.warning(
            "%s sent no complete request %s within %g s: closed", client, waiting, seconds
        )
        self.transport.close()


def with_deadlines(header_seconds: float, body_seconds: float) -> type[DeadlineH11Protocol]:
    """The protocol class for uvicorn's `http` option, with these deadlines."""
    return type(
        "ConfiguredDeadlineH11Protocol",
        (DeadlineH11Protocol,),
        {"header_seconds": header_seconds, "body_seconds": body_seconds},
    )
