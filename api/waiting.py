"""Long reads: a GET that holds its answer until the object reaches a status.

Clients that follow a deal (a seller's tool, the load benchmark, the tests) would otherwise
read again and again. The wait reads the store's status once, in the request's own
transaction — the workflow writes it through an activity after each change, so once the store
shows a status the workflow is there too — and then, on PostgreSQL, waits for the store's
notification of the next change (api/status_events.py): no further read until the status it
waits for has come, the object has ended or the wait has run out. The route then builds its
answer once. A long read thus costs at most two transactions: the status, and the answer.

On SQLite, which has no notifications, the wait reads the status again in short transactions,
20 ms after the first read and then less and less often, up to every 250 ms: about 4 reads a
second while a read is held, each a few hundred microseconds of the API's CPU.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session, sessionmaker

from api.deps import release
from api.status_events import StatusEvents
from store.db import transaction

S = TypeVar("S", bound=StrEnum)
T = TypeVar("T")

FIRST_PAUSE = 0.02
LONGEST_PAUSE = 0.25

WaitSeconds = Annotated[
    float,
    Query(
        gt=0,
        le=60,
        description="With wait_for: the longest the answer is held, in seconds (the server caps "
        "it at its MAX_WAIT_SECONDS). The answer then shows whatever status the object has.",
    ),
]


def get_status_events(request: Request) -> StatusEvents:
    events: StatusEvents = request.app.state.status_events
    return events


StatusEventsDep = Annotated[StatusEvents, Depends(get_status_events)]


async def wait_for_status(
    events: StatusEvents,
    key: str,
    session: Session,
    factory: sessionmaker[Session],
    read: Callable[[Session], S | None],
    done: Callable[[S | None], bool],
    seconds: float,
) -> None:
    """Returns once `done(status)` holds or `seconds` have passed. The request's session reads
    the status first and is then released, so nothing is held while the read waits."""
    if not events.pushed:
        status = read(session)
        release(session)
        if not done(status):
            await _poll(factory, read, done, seconds)
        return
    deadline = time.monotonic() + seconds
    async with events.watch(key) as changes:  # listening before the read: no change is missed
        status = read(session)
        release(session)
        kind = type(status) if status is not None else None
        while not done(status) and (left := deadline - time.monotonic()) > 0:
            try:
                change = await asyncio.wait_for(changes.get(), left)
            except TimeoutError:
                return
            if change is None or kind is None:  # the listener broke: read once more
                status = await asyncio.to_thread(_read, factory, read)
            else:
                status = kind(change)


async def _poll(
    factory: sessionmaker[Session], read: Callable[[Session], S | None],
    done: Callable[[S | None], bool], seconds: float,
) -> None:  # fmt: skip
    """SQLite: the status read in short transactions until done; pauses grow from 20 ms to
    250 ms, so a quick change is seen quickly and a slow one costs a few reads a second."""
    deadline = time.monotonic() + seconds
    pause = FIRST_PAUSE
    while (left := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(pause, left))
        pause = min(pause * 1.5, LONGEST_PAUSE)
        if done(await asyncio.to_thread(_read, factory, read)):
            return


def _read(factory: sessionmaker[Session], read: Callable[[Session], T]) -> T:
    with transaction(factory) as session:
        return read(session)
