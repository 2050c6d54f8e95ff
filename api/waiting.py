"""Long reads: a GET that holds its answer until the object reaches a status.

Clients that follow a deal (a seller's tool, the load benchmark, the tests) would otherwise
read again and again. The wait watches the store's status column — the workflow
writes it through an activity after each change, so once the store shows a status the
workflow is there too — and the route then builds its answer once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import Query
from sqlalchemy.orm import Session, sessionmaker

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


async def wait_for_status(
    factory: sessionmaker[Session],
    read: Callable[[Session], S | None],
    done: Callable[[S | None], bool],
    seconds: float,
) -> None:
    """Reads the status in short transactions until `done` holds or `seconds` have passed;
    pauses grow from 20 ms to 250 ms, so a quick change is seen quickly and a slow one costs
    a few reads a second."""
    deadline = time.monotonic() + seconds
    pause = FIRST_PAUSE
    while True:
        status: S | None = await asyncio.to_thread(_read, factory, read)
        left = deadline - time.monotonic()
        if done(status) or left <= 0:
            return
        await asyncio.sleep(min(pause, left))
        pause = min(pause * 1.5, LONGEST_PAUSE)


def _read(factory: sessionmaker[Session], read: Callable[[Session], T]) -> T:
    with transaction(factory) as session:
        return read(session)
