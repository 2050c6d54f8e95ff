"""Rate limits against abuse: failed authentications, client-link requests, invitations.

Counts live in this process's memory only. Several API processes each allow the full rate, and a
restart forgets every count: that suits the single API process the run command starts. Behind
several processes, the limits belong in a shared store or at the reverse proxy.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from models.errors import TooManyRequests
from settings import Settings

Clock = Callable[[], float]


class SlidingWindow:
    """At most `count` events per key in any `seconds`-long window, remembered exactly.

    Each key keeps the times of its last `count` events at most, and a key silent for a whole
    window is forgotten, so memory stays bounded by the callers active in one window. Sync
    routes run on a thread pool, hence the lock.
    """

    def __init__(self, count: int, seconds: float, clock: Clock = time.monotonic) -> None:
        self.count = count
        self.seconds = seconds
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._swept = clock()

    def wait(self, key: str) -> int:
        """Whole seconds before `key` may act again; 0 when it may act now."""
        with self._lock:
            return self._wait(key, self._clock())

    def record(self, key: str) -> None:
        """Counts an event of `key` now, whether or not it was allowed."""
        with self._lock:
            now = self._clock()
            self._wait(key, now)
            self._events.setdefault(key, deque(maxlen=self.count)).append(now)

    def acquire(self, key: str) -> int:
        """Counts an event of `key` if the limit allows it; else the seconds to wait (> 0)."""
        with self._lock:
            now = self._clock()
            wait = self._wait(key, now)
            if wait == 0:
                self._events.setdefault(key, deque(maxlen=self.count)).append(now)
            return wait

    def __len__(self) -> int:
        """Keys remembered: the memory this window holds."""
        return len(self._events)

    def _wait(self, key: str, now: float) -> int:
        self._sweep(now)
        events = self._events.get(key)
        if events is None:
            return 0
        while events and events[0] <= now - self.seconds:
            events.popleft()
        if not events:
            del self._events[key]
            return 0
        if len(events) < self.count:
            return 0
        # Rounded up (the oldest event is still inside the window, so never 0): a caller
        # retrying at the announced second is let through.
        return math.ceil(events[0] + self.seconds - now)

    def _sweep(self, now: float) -> None:
        # Once per window, forget the keys whose newest event has left it.
        if now - self._swept < self.seconds:
            return
        self._swept = now
        stale = [key for key, events in self._events.items() if events[-1] <= now - self.seconds]
        for key in stale:
            del self._events[key]


@dataclass(frozen=True, slots=True)
class Limits:
    """The windows of one app instance (`app.state.limits`); each test's app starts empty."""

    auth_failures: SlidingWindow
    client_links: SlidingWindow
    invitations: SlidingWindow

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = time.monotonic) -> Limits:
        return cls(
            auth_failures=SlidingWindow(
                settings.AUTH_FAILURES_PER_IP, settings.AUTH_FAILURE_WINDOW_SECONDS, clock
            ),
            client_links=SlidingWindow(
                settings.CLIENT_LINK_REQUESTS_PER_IP, settings.CLIENT_LINK_WINDOW_SECONDS, clock
            ),
            invitations=SlidingWindow(
                settings.INVITATIONS_PER_MEMBER, settings.INVITATION_WINDOW_SECONDS, clock
            ),
        )


def refuse_if_over(window: SlidingWindow, key: str, what: str, *, count: bool) -> None:
    """Raises 429 when `key` is over the limit; counts this request first when `count`."""
    wait = window.acquire(key) if count else window.wait(key)
    if wait:
        raise TooManyRequests(
            f"too many {what} (at most {window.count} every {_seconds(window.seconds)}); "
            f"try again in {_seconds(wait)}",
            retry_after=wait,
        )


def _seconds(value: float) -> str:
    whole = math.ceil(value)
    return "1 second" if whole == 1 else f"{whole} seconds"
