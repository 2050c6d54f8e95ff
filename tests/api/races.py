"""Running many attempts at one once-only change at once, and judging the outcome.

Each attempt runs on its own thread with its own session, so the store sees a real race;
requests to the in-process API race the same way (its routes run on a thread pool).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import ColumnElement, Update, func, select
from sqlalchemy.orm import Session

# Long enough for every racer to read before the first one writes.
PAUSE_SECONDS = 0.05


def said(answer: httpx.Response | BaseException) -> str:
    """An API answer as one comparable line: the status and, when refused, the detail."""
    if isinstance(answer, BaseException):
        return repr(answer)
    if answer.status_code < 300:
        return str(answer.status_code)
    return f"{answer.status_code} {answer.json().get('detail')}"


def race(attempts: list[Callable[[], Any]]) -> list[str]:
    """Runs the attempts on threads released together; "ok" or the error each ended with."""
    start = threading.Barrier(len(attempts))

    def run(attempt: Callable[[], Any]) -> str:
        start.wait()
        try:
            attempt()
        except Exception as error:  # the outcome under test
            return f"{type(error).__name__}: {error}"
        return "ok"

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(run, attempts))


def one_winner(outcomes: list[str], win: str, refusal: str) -> list[str]:
    """What is wrong with a race's outcomes: no winner or several, or a loser answered other
    than the refusal a second attempt made afterwards gets."""
    counts = Counter(outcomes)
    problems = []
    if counts[win] != 1:
        problems.append(f"{counts[win]} attempts won, not one")
    problems += [f"a loser got {o!r}" for o in counts if o not in (win, refusal)]
    return problems


def claim_read_then_write(
    session: Session, change: Update, still_allowed: ColumnElement[bool]
) -> bool:
    """The once-only change done the naive way: read whether it is still allowed, a moment,
    then write without asking again, trusting the read."""
    allowed = session.scalar(
        select(func.count()).select_from(change.table).where(change.whereclause, still_allowed)
    )
    time.sleep(PAUSE_SECONDS)
    session.execute(change.execution_options(synchronize_session=False))
    return bool(allowed)
