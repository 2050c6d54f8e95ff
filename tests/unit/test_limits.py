"""The windows behind every rate limit, counted in the real store on a clock the tests move."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from api.limits import MAX_KEY_LENGTH, CounterStore, Limits, Window, refuse_if_over
from models.errors import TooManyRequests
from settings import Settings
from store.tables import RateLimitCounter
from tests.clock import FakeClock
from tests.processes import free_port


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(engine: Engine, db: sessionmaker[Session], clock: FakeClock) -> Iterator[CounterStore]:
    """Counters on the test database (emptied afterwards by `db`)."""
    yield CounterStore(engine, clock)


def _window(store: CounterStore, count: int, seconds: int) -> Window:
    return Window(f"test-{uuid4().hex[:8]}", count, seconds, store)


def _rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(RateLimitCounter)).scalar_one()


def test_allows_count_events_then_says_how_long_to_wait(
    store: CounterStore, clock: FakeClock
) -> None:
    window = _window(store, 3, 60)
    assert [window.hit("ip") for _ in range(3)] == [0, 0, 0]
    assert window.hit("ip") == 60
    clock.now += 15.5
    assert window.hit("ip") == 45  # 44.5 s left, rounded up


def test_the_window_starts_again_once_it_has_ended(store: CounterStore, clock: FakeClock) -> None:
    window = _window(store, 2, 10)
    window.hit("ip")
    clock.now += 4
    window.hit("ip")
    clock.now += 6  # the window opened by the first event has ended
    assert [window.hit("ip"), window.hit("ip"), window.hit("ip")] == [0, 0, 10]


def test_a_refusal_is_never_zero_seconds(store: CounterStore, clock: FakeClock) -> None:
    window = _window(store, 1, 10)
    window.hit("ip")
    clock.now += 9.9999
    assert window.hit("ip") == 1


def test_refused_attempts_do_not_extend_the_wait(store: CounterStore, clock: FakeClock) -> None:
    window = _window(store, 1, 10)
    window.hit("ip")
    for _ in range(5):
        clock.now += 1
        assert window.hit("ip") > 0
    clock.now += 5
    assert window.hit("ip") == 0


def test_keys_and_limits_are_counted_apart(store: CounterStore) -> None:
    window, other_limit = _window(store, 1, 60), _window(store, 1, 60)
    assert window.hit("10.0.0.1") == 0
    assert window.hit("10.0.0.1") == 60
    assert window.hit("10.0.0.2") == 0
    assert other_limit.hit("10.0.0.1") == 0


def test_a_long_key_is_cut_rather_than_refused_by_the_store(store: CounterStore) -> None:
    window = _window(store, 1, 60)
    assert window.hit("x" * 5000) == 0
    assert window.hit("x" * MAX_KEY_LENGTH + "y") == 60


def test_concurrent_counts_never_let_more_than_the_limit_through(store: CounterStore) -> None:
    # Each count is one UPSERT: a read-then-write would let racing threads share one slot.
    window = _window(store, 10, 60)
    answers: list[int] = []
    start = threading.Barrier(8)

    def hammer() -> None:
        start.wait()
        for _ in range(10):
            answers.append(window.hit("ip"))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 80 and answers.count(0) == 10


def test_ended_windows_are_swept_and_live_ones_kept(
    store: CounterStore, clock: FakeClock, engine: Engine
) -> None:
    short, long = _window(store, 5, 10), _window(store, 5, 600)
    for n in range(50):
        short.hit(f"10.0.0.{n}")
    long.hit("10.0.1.1")
    clock.now += 10
    assert store.sweep() == 50
    assert _rows(engine) == 1
    assert long.hit("10.0.1.1") == 0


def test_each_process_sweeps_by_itself_at_most_once_a_minute(
    store: CounterStore, clock: FakeClock, engine: Engine
) -> None:
    window = _window(store, 5, 10)
    for n in range(20):
        window.hit(f"10.0.0.{n}")
    clock.now += 30
    window.hit("someone")
    assert _rows(engine) == 21  # swept at the first count, not again yet
    clock.now += 30
    window.hit("someone")
    assert _rows(engine) == 1


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    count=st.integers(1, 5),
    seconds=st.integers(1, 30),
    steps=st.lists(st.floats(0, 20, allow_nan=False), max_size=30),
)
def test_accepts_exactly_what_a_fixed_window_allows(
    store: CounterStore, clock: FakeClock, count: int, seconds: int, steps: list[float]
) -> None:
    window = _window(store, count, seconds)
    start, events = None, 0
    for step in steps:
        clock.now += step
        now = math.floor(clock() * 1000)
        if start is None or now >= start + seconds * 1000:
            start, events = now, 0
        events += 1
        wait = window.hit("ip")
        assert (wait == 0) == (events <= count)
        if wait:
            assert wait == max(1, -(-(start + seconds * 1000 - now) // 1000))


def test_refuse_if_over_names_the_limit_and_the_wait(store: CounterStore) -> None:
    window = _window(store, 2, 60)
    refuse_if_over(window, "ip", "requests from your address")
    refuse_if_over(window, "ip", "requests from your address")
    with pytest.raises(TooManyRequests) as refused:
        refuse_if_over(window, "ip", "requests from your address")
    error = refused.value
    assert (error.status_code, error.retry_after) == (429, 60)
    assert error.headers == {"Retry-After": "60"}
    assert error.message == (
        "too many requests from your address (at most 2 every 60 seconds); try again in 60 seconds"
    )


def test_limits_follow_the_settings(store: CounterStore) -> None:
    configured = Settings(
        AUTH_FAILURES_PER_IP=7,
        AUTH_FAILURE_WINDOW_SECONDS=30,
        CLIENT_LINK_REQUESTS_PER_IP=9,
        CLIENT_LINK_WINDOW_SECONDS=20,
        INVITATIONS_PER_MEMBER=3,
        INVITATION_WINDOW_SECONDS=600,
    )
    limits = Limits.from_settings(configured, store)
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


def _unreachable_store() -> CounterStore:
    """A store whose database refuses every connection (nothing listens on the port)."""
    return CounterStore(create_engine(f"postgresql+psycopg2://nobody@127.0.0.1:{free_port()}/x"))


def test_the_link_window_fails_open_while_the_database_is_away() -> None:
    links = Window("client_links", 1, 60, _unreachable_store(), fail_open=True)
    assert [links.hit("203.0.113.9") for _ in range(3)] == [0, 0, 0]


def test_other_windows_do_not_fail_open() -> None:
    failures = Window("auth_failures", 1, 60, _unreachable_store())
    with pytest.raises(OperationalError):
        failures.hit("203.0.113.9")


def test_the_client_links_window_is_the_one_that_fails_open(store: CounterStore) -> None:
    limits = Limits.from_settings(Settings(), store)
    assert limits.client_links.fail_open
    assert not limits.auth_failures.fail_open and not limits.invitations.fail_open
