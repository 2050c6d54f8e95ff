"""Rate limits against abuse: failed authentications, client-link requests, invitations.

The counts live in the store (rate_limit_counters), so every API process shares them and a
restart keeps them. Each limit is a fixed window opened by a key's first event: at most `count`
events until it ends. Counting is one statement, an UPSERT that returns the new count, so two
processes counting the same key at once can never both slip under the limit.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, case, delete, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from models.errors import TooManyRequests
from settings import Settings
from store.db import BUSY_TIMEOUT_MS
from store.tables import RateLimitCounter

log = logging.getLogger("arkanna.api")
# Seconds since the epoch: the one clock every API process shares.
Clock = Callable[[], float]
# The longest key kept; an address or a member id is far shorter.
MAX_KEY_LENGTH = 200
# How often each process deletes the windows that have ended.
SWEEP_SECONDS = 60.0
# How long a window that fails open waits for a counter row another writer holds: a person's
# page is not kept waiting on a busy store for a count it can do without.
FAIL_OPEN_WAIT_MS = 1000


class CounterStore:
    """The counters of every limit, in the database behind `engine`."""

    def __init__(self, engine: Engine, clock: Clock = time.time) -> None:
        self.engine = engine
        self.clock = clock
        self._swept_ms = 0
        self._lock = threading.Lock()
        upsert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._insert = upsert(RateLimitCounter)

    def count(
        self, limit_name: str, key: str, seconds: float, wait_ms: int | None = None
    ) -> tuple[int, float]:
        """Counts an event of `key` now: the events in its window so far, and the window's
        seconds left. With `wait_ms`, a counter locked longer than that fails the count
        (OperationalError) instead of waiting out the store's own timeout."""
        now_ms = self._now_ms()
        ended = RateLimitCounter.window_ends_ms <= now_ms
        new_end = now_ms + round(seconds * 1000)
        statement = (
            self._insert.values(
                limit_name=limit_name, key=key[:MAX_KEY_LENGTH], events=1, window_ends_ms=new_end
            )
            .on_conflict_do_update(
                index_elements=["limit_name", "key"],
                # Evaluated on the stored row: an ended window starts again at this event.
                set_={
                    "events": case((ended, 1), else_=RateLimitCounter.events + 1),
                    "window_ends_ms": case((ended, new_end), else_=RateLimitCounter.window_ends_ms),
                },
            )
            .returning(RateLimitCounter.events, RateLimitCounter.window_ends_ms)
        )
        with self.engine.begin() as connection, _waiting_at_most(connection, wait_ms):
            if self._sweep_due(now_ms):
                connection.execute(delete(RateLimitCounter).where(ended))
            events, ends_ms = connection.execute(statement).one()
        return events, (ends_ms - now_ms) / 1000

    def sweep(self) -> int:
        """Deletes every window that has ended; the rows deleted."""
        now_ms = self._now_ms()
        ended = delete(RateLimitCounter).where(RateLimitCounter.window_ends_ms <= now_ms)
        with self.engine.begin() as connection:
            return connection.execute(ended).rowcount

    def _sweep_due(self, now_ms: int) -> bool:
        # One indexed DELETE per process per SWEEP_SECONDS keeps the table to the active keys.
        with self._lock:
            due = now_ms - self._swept_ms >= SWEEP_SECONDS * 1000
            if due:
                self._swept_ms = now_ms
        return due

    def _now_ms(self) -> int:
        return math.floor(self.clock() * 1000)


@contextmanager
def _waiting_at_most(connection: Connection, wait_ms: int | None) -> Iterator[None]:
    """Lock waits of this transaction bounded to `wait_ms` (SQLite: the busy timeout, set back
    after; PostgreSQL: `lock_timeout`, which ends with the transaction); None: the store's."""
    if wait_ms is None:
        yield
        return
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SET LOCAL lock_timeout = {int(wait_ms)}"))
        yield
        return
    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


@dataclass(frozen=True, slots=True)
class Window:
    """At most `count` events per key in a window of `seconds` opened by the key's first one.

    A window that fails open lets events through uncounted while the database is away: the
    client's link pages need nothing else from it (an acceptance reaches the workflow, whose
    activities wait for the database), so an outage must not turn them away."""

    name: str
    count: int
    seconds: int
    store: CounterStore
    fail_open: bool = False

    def hit(self, key: str) -> int:
        """Counts an event of `key`; 0 when within the limit, else whole seconds to wait."""
        wait_ms = FAIL_OPEN_WAIT_MS if self.fail_open else None
        try:
            events, left = self.store.count(self.name, key, self.seconds, wait_ms)
        except OperationalError:
            if not self.fail_open:
                raise
            log.warning("%s not counted: the database is unavailable", self.name)
            return 0
        if events <= self.count:
            return 0
        # Rounded up, and never 0: a caller retrying at the announced second is let through.
        return max(1, math.ceil(left))


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits of one app (`app.state.limits`); apps on one database share their counts."""

    auth_failures: Window
    client_links: Window
    invitations: Window

    @classmethod
    def from_settings(cls, settings: Settings, store: CounterStore) -> Limits:
        return cls(
            auth_failures=Window(
                "auth_failures",
                settings.AUTH_FAILURES_PER_IP,
                settings.AUTH_FAILURE_WINDOW_SECONDS,
                store,
            ),
            client_links=Window(
                "client_links",
                settings.CLIENT_LINK_REQUESTS_PER_IP,
                settings.CLIENT_LINK_WINDOW_SECONDS,
                store,
                fail_open=True,
            ),
            invitations=Window(
                "invitations",
                settings.INVITATIONS_PER_MEMBER,
                settings.INVITATION_WINDOW_SECONDS,
                store,
            ),
        )


def refuse_if_over(window: Window, key: str, what: str) -> None:
    """Counts this request of `key`; raises 429 when it is past the limit."""
    wait = window.hit(key)
    if wait:
        raise TooManyRequests(
            f"too many {what} (at most {window.count} every {_seconds(window.seconds)}); "
            f"try again in {_seconds(wait)}",
            retry_after=wait,
        )


def _seconds(value: float) -> str:
    whole = math.ceil(value)
    return "1 second" if whole == 1 else f"{whole} seconds"
