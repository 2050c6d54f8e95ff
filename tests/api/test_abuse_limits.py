"""Abuse limits: 429 with Retry-After on failed keys, client links and invitations; 413 on
oversized bodies with nothing written; lists paged under a capped limit."""

from __future__ import annotations

import json
import math
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from api.app import create_app
from api.limits import CounterStore, Limits, Window
from settings import Settings
from store.db import BUSY_TIMEOUT_MS
from tests.api.store import read_every_table
from tests.clock import FakeClock
from tests.factories import (
    OPERATOR,
    Actor,
    World,
    add_client,
    auth,
    expect,
    found_cluster,
)
from tests.ledger_seed import issue, pay_and_split, seed_order

BAD_KEY = auth("ak_not-a-key-anyone-was-given")
CLIENT_BODY = {"company": "Initech", "contact_name": "Peter", "email": "peter@initech.example"}


class Limited:
    """An app of its own with small limits, on a clock the test moves (shared by the test's
    apps, like the wall clock)."""

    def __init__(self, app: FastAPI, clock: FakeClock) -> None:
        self.app = app
        self.clock = clock

    def client(self, address: str = "127.0.0.1") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=(address, 50000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")


LimitedApp = Callable[..., Limited]


@pytest.fixture
def limited_app(settings: Settings, db: sessionmaker[Session]) -> Iterator[LimitedApp]:
    built: list[FastAPI] = []
    # One clock for every app of the test, never behind the wall time that other apps (the
    # `api` fixture's, building the world) count in.
    clock = FakeClock(time.time())

    def build(temporal: Client | None = None, **limits: int) -> Limited:
        clock.now = max(clock.now, time.time())
        configured = settings.model_copy(update=limits)
        app = create_app(configured, temporal)
        app.state.limits = Limits.from_settings(configured, CounterStore(app.state.engine, clock))
        built.append(app)
        return Limited(app, clock)

    yield build
    for app in built:
        app.state.engine.dispose()


def assert_too_many(response: httpx.Response, retry_after: int, *words: str) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["Retry-After"] == str(retry_after)
    detail = response.json()["detail"]
    assert f"try again in {retry_after} second" in detail
    for word in words:
        assert word in detail


# --- failed authentications, per client address ---


async def test_failures_past_the_limit_get_429_while_a_valid_key_still_gets_in(
    limited_app: LimitedApp,
) -> None:
    limited = limited_app(AUTH_FAILURES_PER_IP=3, AUTH_FAILURE_WINDOW_SECONDS=60)
    async with limited.client() as api:
        for headers in (BAD_KEY, {}, {"Authorization": "Basic YWxpY2U6c2VjcmV0"}):
            assert (await api.get("/members", headers=headers)).status_code == 401
        detail = "failed authentications from your address (at most 3 every 60 seconds)"
        assert_too_many(await api.get("/members", headers=BAD_KEY), 60, detail)
        # Others behind the same address (an office, a NAT) are not locked out by the guesser.
        expect(await api.get("/members", headers=OPERATOR), 200)
        limited.clock.now += 59.5
        assert_too_many(await api.get("/members", headers={}), 1)
        limited.clock.now += 0.5
        assert (await api.get("/members", headers=BAD_KEY)).status_code == 401


async def test_successful_authentications_are_not_counted(limited_app: LimitedApp) -> None:
    limited = limited_app(AUTH_FAILURES_PER_IP=2)
    async with limited.client() as api:
        for _ in range(10):
            expect(await api.get("/members", headers=OPERATOR), 200)
        assert (await api.get("/members", headers=BAD_KEY)).status_code == 401
        expect(await api.get("/members", headers=OPERATOR), 200)
        assert (await api.get("/members", headers=BAD_KEY)).status_code == 401
        assert (await api.get("/members", headers=BAD_KEY)).status_code == 429
        expect(await api.get("/members", headers=OPERATOR), 200)


async def test_one_address_guessing_keys_does_not_limit_another(
    limited_app: LimitedApp,
) -> None:
    limited = limited_app(AUTH_FAILURES_PER_IP=1)
    async with limited.client("10.0.0.1") as guesser, limited.client("10.0.0.2") as other:
        assert (await guesser.get("/members", headers=BAD_KEY)).status_code == 401
        assert (await guesser.get("/members", headers=BAD_KEY)).status_code == 429
        assert (await other.get("/members", headers=BAD_KEY)).status_code == 401


async def test_a_refused_address_writes_nothing(
    limited_app: LimitedApp, db: sessionmaker[Session]
) -> None:
    limited = limited_app(AUTH_FAILURES_PER_IP=1)
    async with limited.client() as api:
        before = read_every_table(db)
        assert (await api.get("/members", headers=BAD_KEY)).status_code == 401
        refused = await api.post("/clients", json=CLIENT_BODY, headers=BAD_KEY)
        assert refused.status_code == 429
    assert read_every_table(db) == before


async def test_apps_on_one_database_share_the_counts_and_a_restart_keeps_them(
    limited_app: LimitedApp,
) -> None:
    first, second = limited_app(AUTH_FAILURES_PER_IP=2), limited_app(AUTH_FAILURES_PER_IP=2)
    opened = first.clock.now
    async with first.client() as one, second.client() as other:
        assert (await one.get("/members", headers=BAD_KEY)).status_code == 401
        assert (await other.get("/members", headers=BAD_KEY)).status_code == 401
        assert_too_many(await one.get("/members", headers=BAD_KEY), 60)
        assert_too_many(await other.get("/members", headers=BAD_KEY), 60)
    first.app.state.engine.dispose()
    restarted = limited_app(AUTH_FAILURES_PER_IP=2)
    left = math.ceil(opened + 60 - restarted.clock.now)  # building it moved the clock on
    async with restarted.client() as api:
        assert_too_many(await api.get("/members", headers=BAD_KEY), left)


# --- client links, per client address ---

LINK_ROUTES = [
    ("GET", "/q/{token}"),
    ("GET", "/q/{token}/pdf"),
    ("POST", "/q/{token}/accept"),
    ("POST", "/q/{token}/decline"),
]
TOKEN = "not.a-link-anyone-was-sent"


async def _open(api: httpx.AsyncClient, method: str, path: str) -> httpx.Response:
    body = {"signer_name": "Carl Client"} if method == "POST" else None
    headers = {"Accept": "application/json"}
    return await api.request(method, path.format(token=TOKEN), json=body, headers=headers)


async def test_client_links_share_one_limit_per_address(
    limited_app: LimitedApp, temporal_client: Client
) -> None:
    limited = limited_app(temporal_client, CLIENT_LINK_REQUESTS_PER_IP=4)
    async with limited.client("10.0.0.1") as api, limited.client("10.0.0.2") as other:
        for method, path in LINK_ROUTES:
            assert (await _open(api, method, path)).status_code == 400
        for method, path in LINK_ROUTES:
            refused = await _open(api, method, path)
            assert_too_many(refused, 60, "requests from your address", "at most 4 every 60")
        assert (await _open(other, "GET", "/q/{token}")).status_code == 400
        limited.clock.now += 60
        assert (await _open(api, "GET", "/q/{token}")).status_code == 400


@pytest.mark.parametrize(("method", "path"), LINK_ROUTES, ids=[f"{m} {p}" for m, p in LINK_ROUTES])
async def test_each_client_link_route_is_limited(
    limited_app: LimitedApp, temporal_client: Client, method: str, path: str
) -> None:
    settings = {"CLIENT_LINK_REQUESTS_PER_IP": 2, "CLIENT_LINK_WINDOW_SECONDS": 30}
    limited = limited_app(temporal_client, **settings)
    async with limited.client() as api:
        assert [(await _open(api, method, path)).status_code for _ in range(2)] == [400, 400]
        limited.clock.now += 10
        assert_too_many(await _open(api, method, path), 20)


# --- invitations, per inviting member ---


async def _invite(api: httpx.AsyncClient, inviter: Actor, n: int) -> httpx.Response:
    email = f"guest{n}-{inviter.name}@x.example"
    return await api.post("/invitations", json={"email": email}, headers=inviter.headers)


async def test_invitations_are_limited_per_inviting_member(
    limited_app: LimitedApp, world: World, db: sessionmaker[Session]
) -> None:
    limited = limited_app(INVITATIONS_PER_MEMBER=3)
    async with limited.client() as api:
        alice, bob = world.members["alice"], world.members["bob"]
        # Alice invited bob as the world was built, through another app on this database: the
        # store counted it.
        assert [(await _invite(api, alice, n)).status_code for n in range(2)] == [201, 201]
        before = read_every_table(db)
        refused = await _invite(api, alice, 2)
        assert_too_many(refused, 3600, "invitations from you (at most 3 every 3600 seconds)")
        assert read_every_table(db) == before
        expect(await _invite(api, bob, 0), 201)
        limited.clock.now += 3600
        expect(await _invite(api, alice, 3), 201)


# --- request bodies ---


def _padded(body: dict[str, Any], size: int) -> bytes:
    """Valid JSON of exactly `size` bytes: the body, then trailing spaces."""
    raw = json.dumps(body).encode()
    return raw + b" " * (size - len(raw))


async def _chunks(content: bytes, size: int = 100) -> AsyncIterator[bytes]:
    for start in range(0, len(content), size):
        yield content[start : start + size]


async def test_a_declared_body_over_the_cap_gets_413_and_writes_nothing(
    api: httpx.AsyncClient, db: sessionmaker[Session]
) -> None:
    world = await found_cluster(api)
    headers = {**world.founder.headers, "Content-Type": "application/json"}
    before = read_every_table(db)
    refused = await api.post("/clients", content=_padded(CLIENT_BODY, 1_000_001), headers=headers)
    assert refused.status_code == 413
    assert refused.json()["detail"] == "body: larger than the 1000000 bytes accepted"
    assert read_every_table(db) == before
    expect(
        await api.post("/clients", content=_padded(CLIENT_BODY, 1_000_000), headers=headers), 201
    )


async def test_a_chunked_body_over_the_cap_gets_413_and_writes_nothing(
    limited_app: LimitedApp, db: sessionmaker[Session]
) -> None:
    limited = limited_app(MAX_BODY_BYTES=1000)
    async with limited.client() as api:
        world = await found_cluster(api)
        headers = {**world.founder.headers, "Content-Type": "application/json"}
        before = read_every_table(db)
        over = _chunks(_padded(CLIENT_BODY, 1001))
        refused = await api.post("/clients", content=over, headers=headers)
        assert refused.status_code == 413, refused.text
        assert refused.json()["detail"] == "body: larger than the 1000 bytes accepted"
        assert "content-length" not in refused.request.headers
        assert read_every_table(db) == before
        within = _chunks(_padded(CLIENT_BODY, 1000))
        expect(await api.post("/clients", content=within, headers=headers), 201)


async def test_an_unannounced_body_is_refused_after_reading_just_past_the_cap(
    api: httpx.AsyncClient,
) -> None:
    sent = 0

    async def stream() -> AsyncIterator[bytes]:
        # 13 MB in all, never announced: enough to tell a capped read from a full one.
        nonlocal sent
        while sent < 200:
            sent += 1
            yield b" " * 65536

    refused = await api.post("/clients", content=stream(), headers=OPERATOR)
    assert refused.status_code == 413
    assert sent <= 1_000_000 // 65536 + 2


async def test_an_announced_huge_body_is_refused_without_reading_a_byte(
    settings: Settings, db: sessionmaker[Session]
) -> None:
    app = create_app(settings)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        raise AssertionError("the body was read")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"content-length", b"1000000000000"), (b"content-type", b"application/json")]
    scope = {"type": "http", "method": "POST", "path": "/clients", "headers": headers}
    await app({**scope, "query_string": b"", "asgi": {"version": "3.0"}}, receive, send)
    app.state.engine.dispose()
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["detail"].startswith("body: larger than the")


# --- lists: a capped limit, and `next` to the rest ---

LIST_ROUTES = {
    "/clients": "operator",
    "/offers": "operator",
    "/members": "operator",
    "/invitations": "founder",
    "/quotes": "operator",
    "/orders": "operator",
    "/commission-invoices": "operator",
    "/ledger": "operator",
}


def _headers(world: World, who: str) -> dict[str, str]:
    return OPERATOR if who == "operator" else world.founder.headers


@pytest.mark.parametrize("path", LIST_ROUTES)
async def test_a_limit_outside_1_to_200_is_refused_naming_limit(
    api: httpx.AsyncClient, path: str
) -> None:
    world = await found_cluster(api)
    headers = _headers(world, LIST_ROUTES[path])
    for limit in ("0", "201", "-1", "1000000", "ten"):
        refused = await api.get(path, params={"limit": limit}, headers=headers)
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"].startswith("limit: "), refused.text
    for limit in ("1", "200"):
        expect(await api.get(path, params={"limit": limit}, headers=headers), 200)


@pytest.fixture
async def stocked(
    api: httpx.AsyncClient, world: World, db: sessionmaker[Session], settings: Settings
) -> World:
    """At least three rows behind every list: clients, offers, members, invitations, quotes,
    orders, commission invoices and ledger entries."""
    alice = world.members["alice"]
    for label in ("initech", "globex"):
        await add_client(api, world, alice, label)
    docs = settings.DOCUMENTS_DIR
    for _ in range(3):
        lines = [("alice-audit", "1"), ("bob-install", "1")]
        order = seed_order(db, docs, world, alice, world.clients["acme"], lines)
        invoices = issue(db, docs, order)
    pay_and_split(db, docs, invoices[0])
    return world


def _key(item: dict[str, Any]) -> Any:
    return item.get("id", item.get("number"))


@pytest.mark.parametrize("path", LIST_ROUTES)
async def test_a_list_never_exceeds_its_limit_and_next_leads_to_the_rest(
    api: httpx.AsyncClient, stocked: World, path: str
) -> None:
    headers = _headers(stocked, LIST_ROUTES[path])
    everything = expect(await api.get(path, params={"limit": 200}, headers=headers), 200)
    assert everything["next"] is None
    assert len(everything["items"]) >= 3
    seen: list[Any] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = expect(await api.get(path, params=params, headers=headers), 200)
        assert 1 <= len(page["items"]) <= 2
        seen.extend(_key(item) for item in page["items"])
        if page["next"] is None:
            break
        params["cursor"] = page["next"]
    assert seen == [_key(item) for item in everything["items"]]


@contextmanager
def _counters_locked(engine: Engine) -> Iterator[None]:
    """Another writer holds the counters: SQLite's write lock, or PostgreSQL's table lock."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.begin()
            conn.execute(text("LOCK TABLE rate_limit_counters IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()


def test_a_client_link_is_not_held_behind_a_locked_counter_while_other_limits_wait(
    engine: Engine, db: sessionmaker[Session]
) -> None:
    store = CounterStore(engine)
    links = Window("client_links", 5, 60, store, fail_open=True)
    with _counters_locked(engine):
        started = time.monotonic()
        assert links.hit("203.0.113.9") == 0
        waited = time.monotonic() - started
        # Bounded by the fail-open wait, far below the store's own timeout.
        assert waited < BUSY_TIMEOUT_MS / 1000 / 3
        with pytest.raises(OperationalError):
            store.count("auth_failures", "203.0.113.9", 60, wait_ms=50)
    # The store's own timeout is back on the connection: a count after the lock goes through.
    assert store.count("client_links", "203.0.113.9", 60) == (1, pytest.approx(60, abs=1))
