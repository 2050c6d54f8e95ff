"""The store's status changes as events, for the long reads of one API process.

On PostgreSQL the store notifies the channel `arkanna_status` when a quote's or an invoice's
status changes (migration 0006: a trigger, so every writer is covered, delivered at commit).
Each API process keeps one connection that LISTENs on it, read by the event loop itself (no
thread, no timer), and hands each change to the reads waiting on that object. When the
connection breaks, every waiting read is woken to read the status once more, and the next
wait connects again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.engine import make_url

CHANNEL = "arkanna_status"
log = logging.getLogger(__name__)

# What a waiting read receives: the new status, or None to read it again (the listener broke).
Change = str | None


class StatusEvents:
    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        postgres = url.get_backend_name() == "postgresql"
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.pushed = postgres  # False: SQLite, whose long reads read the status repeatedly
        self._waiting: dict[str, set[asyncio.Queue[Change]]] = {}
        self._connection: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @contextlib.asynccontextmanager
    async def watch(self, key: str) -> AsyncIterator[asyncio.Queue[Change]]:
        """The changes of one object (`quote:<number>`, `invoice:<number>`) from now on."""
        await self._listen()
        queue: asyncio.Queue[Change] = asyncio.Queue()
        self._waiting.setdefault(key, set()).add(queue)
        try:
            yield queue
        finally:
            waiting = self._waiting.get(key, set())
            waiting.discard(queue)
            if not waiting:
                self._waiting.pop(key, None)

    async def _listen(self) -> None:
        loop = asyncio.get_running_loop()
        if self._connection is not None and self._loop is loop:
            return
        connection = await asyncio.to_thread(self._connect)
        if self._connection is not None and self._loop is loop:  # another wait got there first
            connection.close()
            return
        self.close()
        self._connection, self._loop = connection, loop
        loop.add_reader(connection.fileno(), self._readable)

    def _connect(self) -> Any:
        import psycopg2

        connection = psycopg2.connect(self._dsn)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")
        return connection

    def _readable(self) -> None:
        connection = self._connection
        try:
            connection.poll()
        except Exception:  # the database went away: read again, and connect on the next wait
            log.warning("status events: the listening connection broke", exc_info=True)
            self.close()
            for queues in self._waiting.values():
                for queue in queues:
                    queue.put_nowait(None)
            return
        while connection.notifies:
            kind, number, status = connection.notifies.pop(0).payload.split(":", 2)
            for queue in self._waiting.get(f"{kind}:{number}", ()):
                queue.put_nowait(status)

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with contextlib.suppress(Exception):
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(connection.fileno())
        with contextlib.suppress(Exception):
            connection.close()
