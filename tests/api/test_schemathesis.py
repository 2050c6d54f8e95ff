"""The OpenAPI is the contract: schemathesis sends every operation generated requests, valid and
invalid, in-process over ASGI with a real member's key (the operator's for operator routes), to
the real app on a seeded store, the Temporal dev server and the product's worker.

Checks: no 5xx; status code, content type, headers and body as documented; schema-violating
requests refused with a 4xx; routes that declare authentication refuse requests without it.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
import schemathesis

# Imported here, at collection: schemathesis imports them on first use, inside a hypothesis run,
# where compiling them for pytest's assertion rewriting can trip a CPython bug fixed in 3.11.8
# ("SystemError: AST constructor recursion depth mismatch").
import schemathesis.generation.body_overrides
import schemathesis.wfc.escalation
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import Case, HookContext
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from models.links import QuoteLink, sign_link
from models.settings import Settings
from tests.api.store import wipe
from tests.factories import OPERATOR_KEY, auth, catalogue_world, expect
from tests.temporal_fixtures import running_worker, terminate_open
from worker import connect_temporal

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]

# Called with the operator's key; every other operation is called with a member's.
OPERATOR_ONLY = {
    "POST /clusters",
    "POST /orders/{number}/cancel",
    "POST /commission-invoices/{number}/payments",
}
SECRET_KEY = "test-secret-key"


class AppUnderTest:
    """Forwards to the app the `stack` fixture builds.

    Pytest collects one test per operation from the OpenAPI before any fixture runs, so the
    schema is bound to this stand-in; the real app needs the store and Temporal first.
    """

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "requests are sent only while the `stack` fixture is up"
        await self.app(scope, receive, send)


APP = AppUnderTest()


def openapi_document() -> dict[str, Any]:
    # The document depends on no setting; this app never opens its store.
    app = create_app(Settings(DATABASE_URL="sqlite://", OPERATOR_KEY="-", SECRET_KEY="-"))
    app.state.engine.dispose()
    return app.openapi()


# A fixed seed (and no schemathesis.toml lookup): every run sends the same requests.
schema = schemathesis.openapi.from_dict(openapi_document(), config=schemathesis.Config(seed=2024))
schema.app = APP

# Path parameters that name a seeded object, by path prefix; filled while `stack` is up.
SEEDED: dict[str, dict[str, str | int]] = {}


@schema.hook
def flatmap_case(context: HookContext, case: Case) -> st.SearchStrategy[Case]:
    """Aims half the valid cases at a seeded object: a generated quote number or link token
    names nothing, and would only ever meet a 404 or a refused link."""
    seeded = next((v for k, v in SEEDED.items() if case.operation.path.startswith(k)), None)
    if seeded is None or case.meta is None or not case.meta.generation.mode.is_positive:
        return st.just(case)

    def aim(hit: bool) -> Case:
        if hit:
            case.path_parameters = {**case.path_parameters, **seeded}
        return case

    return st.booleans().map(aim)


# Extreme dates and numbers, beside what the generators draw: the calendar's first and last
# days, zero, minus one and 2^63. A valid case gets only the extremes its parameter accepts, an
# invalid one only those it refuses, so each case keeps the kind it was generated as.
EXTREME_DATES = ["0001-01-01", "9999-12-31"]
EXTREME_NUMBERS = [0, -1, 2**63, -(2**63)]
schemathesis.openapi.format(
    "date", st.one_of(st.sampled_from(EXTREME_DATES), st.dates().map(date.isoformat))
)


def _extremes(definition: dict[str, Any], valid: bool) -> list[Any]:
    declared = definition.get("schema", {})
    kinds = [s for s in declared.get("anyOf", [declared]) if s.get("type") != "null"]
    if len(kinds) != 1:
        return []
    kind = kinds[0]
    if kind.get("format") == "date":
        return EXTREME_DATES if valid else []
    if kind.get("type") not in ("integer", "number"):
        return []

    def accepted(n: int) -> bool:
        low, high = kind.get("minimum", -math.inf), kind.get("maximum", math.inf)
        above = n > kind.get("exclusiveMinimum", -math.inf)
        below = n < kind.get("exclusiveMaximum", math.inf)
        return low <= n <= high and above and below

    return [n for n in EXTREME_NUMBERS if accepted(n) == valid]


@schema.hook("flatmap_case")
def extreme_values(context: HookContext, case: Case) -> st.SearchStrategy[Case]:
    """Each query and path parameter keeps its generated value or takes an extreme one."""
    valid = case.meta is not None and case.meta.generation.mode.is_positive
    choices = {
        (location, parameter.name): st.sampled_from([None, *extremes])
        for location in ("query", "path_parameters")
        for parameter in getattr(case.operation, location)
        if (extremes := _extremes(parameter.definition, valid))
    }

    def swap(chosen: dict[tuple[str, str], Any]) -> Case:
        for (location, name), value in chosen.items():
            if value is not None:
                setattr(case, location, {**(getattr(case, location) or {}), name: value})
        return case

    return st.fixed_dictionaries(choices).map(swap) if choices else st.just(case)


@dataclass
class Stack:
    member_key: str


@contextmanager
def worker_thread(settings: Settings, target: str) -> Iterator[None]:
    """The product's worker on an event loop of its own: the sync tests hold the session loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="worker-loop", daemon=True)
    thread.start()
    ready = threading.Event()
    stop = asyncio.Event()

    async def serve() -> None:
        client = await connect_temporal(settings.model_copy(update={"TEMPORAL_ADDRESS": target}))
        async with running_worker(client, settings, settings.TEMPORAL_TASK_QUEUE):
            ready.set()
            await stop.wait()

    served = asyncio.run_coroutine_threadsafe(serve(), loop)
    try:
        if not ready.wait(30):
            served.result(timeout=0)  # raises what went wrong, or times out
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        served.result(timeout=60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


@pytest.fixture(scope="module")
def stack_settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("schemathesis")
    return Settings(
        DATABASE_URL=database_url,
        OPERATOR_KEY=OPERATOR_KEY,
        SECRET_KEY=SECRET_KEY,
        OUTBOX_DIR=folder / "outbox",
        DOCUMENTS_DIR=folder / "documents",
        PUBLIC_BASE_URL="http://testserver",
        TEMPORAL_TASK_QUEUE=f"schemathesis-{uuid4()}",
        # Every generated request comes from one address and one member: the limits have their
        # own tests, here they would only turn the answers that follow into 429s.
        AUTH_FAILURES_PER_IP=1_000_000,
        CLIENT_LINK_REQUESTS_PER_IP=1_000_000,
        INVITATIONS_PER_MEMBER=1_000_000,
        # Generated waits on the seeded quote would each hold their answer this long.
        MAX_WAIT_SECONDS=0.5,
    )


@pytest.fixture(scope="module")
async def stack(
    stack_settings: Settings, engine: Engine, temporal_env: WorkflowEnvironment
) -> AsyncIterator[Stack]:
    """One cluster for every operation (seeding per operation would double the run): members,
    validated offers, a client and a quote, all made through the API."""
    client = temporal_env.client
    target = client.service_client.config.target_host
    with worker_thread(stack_settings, target):
        app = create_app(stack_settings, client)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            world = await catalogue_world(api)
            alice = world.members["alice"]
            body = {
                "client_id": world.clients["acme"],
                "lines": [{"offer_id": world.offers["bob-install"], "quantity": "2"}],
            }
            quote = expect(await api.post("/quotes", json=body, headers=alice.headers), 201)
            expect(await api.get("/healthz"), 200)
        # A valid link to the quote: it is not sent yet, so the client's answers are refused.
        expires = datetime.now(UTC) + timedelta(days=1)
        token = sign_link(SECRET_KEY, QuoteLink(quote["number"], 1, expires))
        APP.app = app
        SEEDED.update({"/quotes/": {"number": quote["number"]}, "/q/": {"token": token}})
        # The caller's own member id: its statement's dates are then read, not met by a 404.
        SEEDED["/members/"] = {"member_id": alice.id}
        try:
            yield Stack(member_key=alice.key)
        finally:
            SEEDED.clear()
            shutdown_lifespans()  # the app's lifespan, which schemathesis started
            APP.app = None
    await terminate_open(client, stack_settings.TEMPORAL_TASK_QUEUE)
    app.state.engine.dispose()
    wipe(engine)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,
)
def test_every_operation_keeps_the_openapi_contract(case: Case, stack: Stack) -> None:
    headers: dict[str, str] = {}
    # A case that drops or breaks the key on purpose is sent as generated: it must get a 401.
    if not case.operation.schema.is_security_param_negated(case):
        operator = case.operation.label in OPERATOR_ONLY
        headers = auth(OPERATOR_KEY if operator else stack.member_key)
    case.call_and_validate(checks=CHECKS, headers=headers)
