"""The Temporal server SIGKILLed and started again on its database file, with quotes waiting.

A dev server of this test's own (not the shared one) keeps its state in a file. When it dies:
quote A waits on two suppliers with an approval reminder every few seconds; quote B is `sent`
with a short validity, to expire after the restart; quotes C and D are `sent`, and D has an
activity running, held up by a lock on the store. After the restart on the same file and port,
every workflow keeps its run id, every quote completes (A approved and C, D accepted after the
restart, each paid to `split`; B expired by its timer), and each timer fired once: one expiry,
consecutive reminders, one email per business key.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.api.enums.v1 import PendingActivityState
from temporalio.client import Client

from api.app import create_app
from models.approvals import ESCALATE_AFTER_REMINDERS
from models.domain import QuoteStatus, quote_workflow_id
from models.quote_phases import PhaseAct
from settings import Settings
from store.tables import Quote, SentEmail
from tests.factories import OPERATOR, Actor, World, catalogue_world, expect
from tests.faults.deals import (
    Deal,
    Stack,
    accept,
    all_completed,
    approve,
    create_quote,
    pay_all,
    quote_view,
    stored,
    until_ordered,
    until_split,
)
from tests.faults.dev_server import DevServer, writes_blocked
from tests.faults.invariants import check_invariants
from tests.processes import WorkerProcess, worker_environment

REMINDER = 4
SHORT_VALIDITY = 30
DURATIONS = {
    "reminder_interval": REMINDER,
    "approval_timeout": 900,
    "revision_timeout": 900,
    "validity": 900,
    "payment_terms": 900,
}
_REMINDED = re.compile(r"^reminder (\d+) to (\d+) supplier\(s\)$")


@asynccontextmanager
async def _api(settings: Settings, client: Client) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, client)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            yield api
    finally:
        app.state.engine.dispose()


@pytest.fixture
async def own_server(tmp_path: Path) -> AsyncIterator[DevServer]:
    server = DevServer(tmp_path / "temporal")
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Quotes:
    """The four quotes and what the test drives them with."""

    def __init__(self, world: World, stack: Stack) -> None:
        self.world = world
        self.stack = stack
        self.alice = world.members["alice"]
        self.people: dict[int, Actor] = {
            world.founder.id: world.founder,
            **{a.id: a for a in world.members.values()},
        }

    async def launch(self, offers: list[str], key: str) -> dict[str, Any]:
        lines = [
            {"offer_id": self.world.offers[o], "quantity": "1", "discount": "0"} for o in offers
        ]
        return await create_quote(self.stack, self.alice, self.world.clients["acme"], lines, key)

    async def approve_all(self, quote: dict[str, Any]) -> None:
        for approval in quote["approvals"]:
            if approval["status"] == "pending":
                who = self.people[approval["supplier_id"]]
                await approve(self.stack, quote["number"], who, quote["revision"])

    async def sent(self, offers: list[str], key: str) -> dict[str, Any]:
        quote = await self.launch(offers, key)
        await self.approve_all(quote)
        return await self.until(quote["number"], QuoteStatus.SENT)

    async def until(self, number: str, status: str, within: float = 90) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + within
        while (view := await quote_view(self.stack, number, self.alice.headers))[
            "status"
        ] != status:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{number} stayed {view['status']}, expected {status}")
            await asyncio.sleep(0.25)
        return view

    async def close(self, number: str) -> Deal:
        """Accepted by the client, ordered, every invoice paid and split."""
        await accept(self.stack, self.alice, number)
        deal = Deal(number, await until_ordered(self.stack, number))
        assert deal.order is not None
        deal.invoices = await pay_all(self.stack, deal.order)
        for invoice in deal.invoices:
            await until_split(self.stack, invoice)
        return deal


async def _run_ids(client: Client, numbers: list[str]) -> dict[str, str]:
    handles = [client.get_workflow_handle(quote_workflow_id(n)) for n in numbers]
    return {n: (await h.describe()).run_id for n, h in zip(numbers, handles, strict=True)}


async def _activity_running(client: Client, number: str, activity: str, within: float = 60) -> None:
    handle = client.get_workflow_handle(quote_workflow_id(number))
    deadline = asyncio.get_running_loop().time() + within
    while True:
        pending = (await handle.describe()).raw_description.pending_activities
        if any(
            p.activity_type.name == activity
            and p.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
            for p in pending
        ):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{activity} of {number} never started")
        await asyncio.sleep(0.1)


def _mails(session: Session, number: str, kind: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(SentEmail)
            .where(SentEmail.business_key.like(f"{number}/%"), SentEmail.kind == kind)
        )
        or 0
    )


@pytest.mark.slow
async def test_quotes_waiting_on_people_timers_and_activities_survive_a_server_kill(
    settings: Settings, db: sessionmaker[Session], own_server: DevServer, tmp_path: Path
) -> None:
    queued = settings.model_copy(update={"TEMPORAL_TASK_QUEUE": f"restart-{uuid4()}"})
    before = await own_server.connect()
    worker = WorkerProcess(worker_environment(queued, own_server.address), tmp_path / "worker.log")
    worker.start()
    try:
        async with _api(queued, before) as api:
            stack = Stack(api, db, asyncio.get_running_loop().time() + 300)
            world = await catalogue_world(api, settings=DURATIONS)
            quotes = Quotes(world, stack)
            a = (await quotes.launch(["alice-audit", "bob-install"], "waits-on-suppliers"))[
                "number"
            ]
            c = (await quotes.sent(["alice-audit"], "waits-on-client"))["number"]
            d = await quotes.sent(["alice-audit"], "activity-in-flight")
            body = {"validity": SHORT_VALIDITY}
            path = f"/clusters/{world.cluster_id}/settings"
            expect(await api.patch(path, json=body, headers=OPERATOR), 200)
            b = (await quotes.sent(["alice-audit"], "expires-after-restart"))["number"]
            run_ids = await _run_ids(before, [a, b, c, d["number"]])

            with writes_blocked(queued.DATABASE_URL):
                # The client opens D's link: the workflow records the view (the loop's step of
                # the status and the seller's email), and that write waits.
                token = d["client_link"].rsplit("/", 1)[-1]
                assert (await api.get(f"/q/{token}")).status_code == 200
                await _activity_running(before, d["number"], PhaseAct.RECORD_STEP)
                assert (await stored(stack, lambda s: s.get_one(Quote, b).status)) == "sent"
                killed_at = datetime.now(UTC)
                assert own_server.kill() == -9
                # Down long enough for A's next reminder to come due while nobody keeps time.
                await asyncio.sleep(REMINDER + 1)
                own_server.start()
                after = await own_server.connect()
            restarted_at = datetime.now(UTC)
        print(f"server down for {(restarted_at - killed_at).total_seconds():.1f} s")

        assert await _run_ids(after, [a, b, c, d["number"]]) == run_ids
        async with _api(queued, after) as api:
            stack.api = api
            deals = await _complete(quotes, a, c, d["number"], restarted_at)
            expired = await quotes.until(b, QuoteStatus.EXPIRED, within=120)
            ids = [quote_workflow_id(b), *(i for deal in deals for i in deal.workflow_ids)]
            await all_completed(after, ids)
            views = {n: await quote_view(stack, n, OPERATOR) for n in (a, d["number"])}
        assert worker.alive, f"the worker died with the server:\n{worker.tail()}"
        assert worker.starts == 1
    finally:
        worker.stop()

    expiries = [e for e in expired["events"] if e["kind"] == "expired"]
    assert len(expiries) == 1 and datetime.fromisoformat(expiries[0]["at"]) > killed_at
    _reminded_once_each(views[a]["events"], restarted_at)
    assert [e["kind"] for e in views[d["number"]]["events"]].count("viewed") == 1
    with db() as session:
        assert _mails(session, b, "quote_expired") == 1
        assert _mails(session, d["number"], "quote_viewed") == 1
        assert _mails(session, a, "approval_reminder") == _reminder_mails(views[a]["events"])
        assert _mails(session, a, "approval_escalation") == 1
        violations = check_invariants(session, queued.OUTBOX_DIR)
    assert violations == [], "\n".join(violations)


async def _complete(quotes: Quotes, a: str, c: str, d: str, restarted_at: datetime) -> list[Deal]:
    """A once a reminder fired after the restart and the founder was told; C and D at once."""

    async def after_a_reminder() -> Deal:
        while True:
            view = await quote_view(quotes.stack, a, OPERATOR)
            reminded = [e for e in view["events"] if e["kind"] == "reminded"]
            late = [e for e in reminded if datetime.fromisoformat(e["at"]) > restarted_at]
            if late and len(reminded) >= ESCALATE_AFTER_REMINDERS:
                break
            await asyncio.sleep(0.25)
        await quotes.approve_all(view)
        return await quotes.close(a)

    return list(await asyncio.gather(after_a_reminder(), quotes.close(c), quotes.close(d)))


def _reminded_once_each(events: list[dict[str, Any]], restarted_at: datetime) -> None:
    """Reminders numbered 1, 2, … with none twice, at least one after the restart."""
    counts = [int(_REMINDED.match(e["text"])[1]) for e in events if e["kind"] == "reminded"]  # type: ignore[index]
    assert counts == list(range(1, len(counts) + 1)), counts
    assert any(
        e["kind"] == "reminded" and datetime.fromisoformat(e["at"]) > restarted_at for e in events
    )
    assert [e["kind"] for e in events].count("escalated") == 1


def _reminder_mails(events: list[dict[str, Any]]) -> int:
    return sum(
        int(_REMINDED.match(e["text"])[2])  # type: ignore[index]
        for e in events
        if e["kind"] == "reminded"
    )
