"""Requests that would only duplicate one another, run one at a time within this process.

Twenty copies of one decision sent at once would otherwise all pass the workflow's validator
before the first is applied, and crowd the server's limit on updates in flight per workflow.
Queued here, each copy meets the state the previous one left and is refused as a duplicate
(409), exactly as when the copies come one after another.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class OneAtATime:
    """One lock per key, kept only while a request holds it or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: dict[Hashable, int] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    def __len__(self) -> int:
        """Keys held or waited for now."""
        return len(self._locks)
