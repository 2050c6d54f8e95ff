"""The sliding window behind every rate limit, on a clock the tests move by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.limits import Limits, SlidingWindow, refuse_if_over
from models.errors import TooManyRequests
from settings import Settings
from tests.clock import FakeClock


def test_allows_count_events_then_says_how_long_to_wait() -> None:
    clock = FakeClock()
    window = SlidingWindow(3, 60, clock)
    assert [window.acquire("ip") for _ in range(3)] == [0, 0, 0]
    assert window.acquire("ip") == 60
    clock.now += 15.5
    assert window.acquire("ip") == 45  # 44.5 s left, rounded up


def test_the_window_slides_one_event_at_a_time() -> None:
    clock = FakeClock()
    window = SlidingWindow(2, 10, clock)
    window.acquire("ip")
    clock.now += 4
    window.acquire("ip")
    clock.now += 6  # the first event leaves the window, the second stays
    assert window.acquire("ip") == 0
    assert window.acquire("ip") == 4


def test_a_refusal_is_never_zero_seconds() -> None:
    clock = FakeClock()
    window = SlidingWindow(1, 10, clock)
    window.acquire("ip")
    clock.now += 9.99
    assert window.wait("ip") == 1


def test_refused_attempts_do_not_extend_the_wait() -> None:
    clock = FakeClock()
    window = SlidingWindow(1, 10, clock)
    window.acquire("ip")
    for _ in range(5):
        clock.now += 1
        assert window.acquire("ip") > 0
    clock.now += 5
    assert window.acquire("ip") == 0


def test_keys_are_counted_apart() -> None:
    window = SlidingWindow(1, 60, FakeClock())
    assert window.acquire("10.0.0.1") == 0
    assert window.acquire("10.0.0.1") == 60
    assert window.acquire("10.0.0.2") == 0


def test_wait_only_looks_and_record_only_counts() -> None:
    window = SlidingWindow(2, 60, FakeClock())
    assert [window.wait("ip") for _ in range(5)] == [0] * 5
    window.record("ip")
    window.record("ip")
    assert window.wait("ip") == 60
    window.record("ip")  # recording past the limit keeps the newest events only
    assert window.wait("ip") == 60


def test_silent_keys_are_forgotten() -> None:
    clock = FakeClock()
    window = SlidingWindow(5, 60, clock)
    for n in range(1000):
        window.acquire(f"10.0.{n // 256}.{n % 256}")
    assert len(window) == 1000
    clock.now += 60
    window.wait("someone else")
    assert len(window) == 0


@given(
    count=st.integers(1, 5),
    seconds=st.integers(1, 30),
    steps=st.lists(st.floats(0, 20, allow_nan=False), max_size=60),
)
def test_accepts_exactly_what_a_sliding_window_allows(
    count: int, seconds: int, steps: list[float]
) -> None:
    clock = FakeClock(0.0)
    window = SlidingWindow(count, seconds, clock)
    accepted: list[float] = []
    for step in steps:
        clock.now += step
        recent = [t for t in accepted if t > clock.now - seconds]
        wait = window.acquire("ip")
        assert (wait == 0) == (len(recent) < count)
        if wait:
            assert recent[-count] + seconds - clock.now <= wait < recent[-count] + seconds + 1
        else:
            accepted.append(clock.now)


def test_refuse_if_over_names_the_limit_and_the_wait() -> None:
    window = SlidingWindow(2, 60, FakeClock())
    refuse_if_over(window, "ip", "requests from your address", count=True)
    refuse_if_over(window, "ip", "requests from your address", count=True)
    with pytest.raises(TooManyRequests) as refused:
        refuse_if_over(window, "ip", "requests from your address", count=True)
    error = refused.value
    assert (error.status_code, error.retry_after) == (429, 60)
    assert error.headers == {"Retry-After": "60"}
    assert error.message == (
        "too many requests from your address (at most 2 every 60 seconds); try again in 60 seconds"
    )


def test_refuse_if_over_without_counting_never_fills_the_window() -> None:
    window = SlidingWindow(1, 60, FakeClock())
    for _ in range(10):
        refuse_if_over(window, "ip", "failed authentications", count=False)
    assert len(window) == 0


def test_limits_follow_the_settings() -> None:
    settings = Settings(
        AUTH_FAILURES_PER_IP=7,
        AUTH_FAILURE_WINDOW_SECONDS=30,
        CLIENT_LINK_REQUESTS_PER_IP=9,
        CLIENT_LINK_WINDOW_SECONDS=20,
        INVITATIONS_PER_MEMBER=3,
        INVITATION_WINDOW_SECONDS=600,
    )
    limits = Limits.from_settings(settings, FakeClock())
    assert (limits.auth_failures.count, limits.auth_failures.seconds) == (7, 30)
    assert (limits.client_links.count, limits.client_links.seconds) == (9, 20)
    assert (limits.invitations.count, limits.invitations.seconds) == (3, 600)


def test_production_defaults() -> None:
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    assert defaults["AUTH_FAILURES_PER_IP"] == 20
    assert defaults["AUTH_FAILURE_WINDOW_SECONDS"] == 60
    assert defaults["CLIENT_LINK_REQUESTS_PER_IP"] == 120
    assert defaults["CLIENT_LINK_WINDOW_SECONDS"] == 60
    assert defaults["INVITATIONS_PER_MEMBER"] == 50
    assert defaults["INVITATION_WINDOW_SECONDS"] == 3600
    assert defaults["MAX_BODY_BYTES"] == 1_000_000


@pytest.mark.parametrize("field", ["AUTH_FAILURES_PER_IP", "INVITATION_WINDOW_SECONDS"])
def test_a_limit_below_one_is_refused_at_start(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Settings(**{field: 0})
