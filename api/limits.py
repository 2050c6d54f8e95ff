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
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from models.errors import TooManyRequests
from settings import Settings
from store.tables import RateLimitCounter

log = logging.getLogger("arkanna.api")
# Seconds since the epoch: the one clock every API process shares.
Clock = Callable[[], float]
# The longest key kept; an address or a member id is far shorter.
MAX_KEY_LENGTH = 200
# How often each process deletes the windows that have ended.
SWEEP_SECONDS = 60.0


class CounterStore:
    """The counters of every limit, in the database behind `engine`."""

    def __init__(self, engine: Engine, clock: Clock = time.time) -> None:
        self.engine = engine
        self.clock = clock
        self._swept_ms = 0
        self._lock = threading.Lock()
        upsert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._insert = upsert(RateLimitCounter)

    def count(self, limit_name: str, key: str, seconds: float) -> tuple[int, float]:
        """Counts an event of `key` now: the events in its window so far, and the window's
        seconds left."""
        now_ms = self._now_ms()
        self._sweep(now_ms)
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
        with self.engine.begin() as connection:
            events, ends_ms = connection.execute(statement).one()
        return events, (ends_ms - now_ms) / 1000

    def sweep(self) -> int:
        """Deletes every window that has ended; the rows deleted."""
        now_ms = self._now_ms()
        ended = delete(RateLimitCounter).where(RateLimitCounter.window_ends_ms <= now_ms)
        with self.engine.begin() as connection:
            return connection.execute(ended).rowcount

    def _sweep(self, now_ms: int) -> None:
        # One indexed DELETE per process per SWEEP_SECONDS keeps the table to the active keys.
        with self._lock:
            due = now_ms - self._swept_ms >= SWEEP_SECONDS * 1000
            if due:
                self._swept_ms = now_ms
        if due:
            self.sweep()

    def _now_ms(self) -> int:
        return math.floor(self.clock() * 1000)


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
        try:
            events, left = self.store.count(self.name, key, self.seconds)
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
