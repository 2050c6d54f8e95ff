"""Once-only changes raced: ten attempts at once, exactly one wins on either store, and every
other gets the refusal a second attempt made afterwards gets.

Each race returns its problems; the tests below it assert there are none, and the mutant
tests at the end put back a read-then-write and assert that the same race then sees several
winners, so that each race can fail.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import activities.quotes
import api.routes.members
import store.catalogue
import store.membership
import store.orders
from activities.quotes import QuoteActivities
from api.schemas import MemberCreate, Party
from models.domain import QuoteStatus
from models.errors import Conflict, RuleViolation
from models.quote_payloads import StatusRecord
from store.db import transaction
from store.membership import hash_secret, remove_member
from store.orders import mark_cancelled
from store.tables import Invitation, Member, Order, Quote
from tests.api.races import PAUSE_SECONDS, claim_read_then_write, one_winner, race, said
from tests.api.test_invitations_members import invite, registration
from tests.factories import World, add_offer, expect, join
from tests.ledger_seed import seed_order

ATTEMPTS = 10
ALREADY_USED = "422 invitation_code: this invitation code has already been used"
TAKEN_ADDRESS = "409 email: this address already belongs to a member of the cluster"


@dataclass
class Arena:
    api: httpx.AsyncClient
    world: World
    db: sessionmaker[Session]
    documents: Path


Race = Callable[[Arena], Awaitable[list[str]]]


@pytest.fixture
def arena(api: httpx.AsyncClient, world: World, db: sessionmaker[Session], tmp_path: Path) -> Arena:
    return Arena(api, world, db, tmp_path / "documents")


async def registrations_with_one_code(arena: Arena) -> list[str]:
    code = await invite(arena.api, arena.world.members["bob"], "dora@members.example.com")
    answers = await asyncio.gather(
        *(arena.api.post("/members", json=registration(code, f"dora{n}")) for n in range(ATTEMPTS))
    )
    with arena.db() as session:
        joined = session.scalars(select(Member).where(Member.name.like("Dora%"))).all()
    problems = one_winner([said(a) for a in answers], "201", ALREADY_USED)
    return problems + ([] if len(joined) <= 1 else [f"{len(joined)} members joined"])


async def registrations_of_one_address(arena: Arena) -> list[str]:
    """Several members invited the same address; all its codes are redeemed at once."""
    inviters = [arena.world.founder, *arena.world.members.values()]
    codes = [await invite(arena.api, who, "dora@members.example.com") for who in inviters]
    answers = await asyncio.gather(
        *(arena.api.post("/members", json=registration(code)) for code in codes)
    )
    return one_winner([said(a) for a in answers], "201", TAKEN_ADDRESS)


async def offer_decisions(arena: Arena) -> list[str]:
    alice, founder = arena.world.members["alice"], arena.world.founder
    offer = await add_offer(arena.api, arena.world, alice, "alice-pending", validate=False)
    path = f"/offers/{offer}/validation"
    bodies = [
        {"decision": "validate"} if n % 2 else {"decision": "refuse", "reason": "too dear"}
        for n in range(ATTEMPTS)
    ]
    answers = await asyncio.gather(
        *(arena.api.post(path, json=body, headers=founder.headers) for body in bodies)
    )
    status = expect(await arena.api.get(f"/offers/{offer}", headers=alice.headers), 200)
    refusal = f"409 the offer is already {status['status']}; only a pending offer is decided"
    return one_winner([said(a) for a in answers], "200", refusal)


async def withdrawals(arena: Arena) -> list[str]:
    alice = arena.world.members["alice"]
    path = f"/offers/{arena.world.offers['alice-audit']}/withdraw"
    answers = await asyncio.gather(
        *(arena.api.post(path, headers=alice.headers) for _ in range(ATTEMPTS))
    )
    return one_winner([said(a) for a in answers], "200", "409 the offer is already withdrawn")


async def removals(arena: Arena) -> list[str]:
    """On the store: in one API process, the removal route runs on the event loop, one at a
    time; several processes race as these threads do."""
    dave = await join(arena.api, arena.world, arena.world.founder, "dave")

    def remove() -> None:
        with transaction(arena.db) as session:
            founder = session.get_one(Member, arena.world.founder.id)
            remove_member(session, founder, dave.id, datetime.now(UTC))

    outcomes = await asyncio.to_thread(race, [remove] * ATTEMPTS)
    return one_winner(outcomes, "ok", "Conflict: the member is already removed")


async def order_cancellations(arena: Arena) -> list[str]:
    alice = arena.world.members["alice"]
    client = arena.world.clients["acme"]
    number = seed_order(
        arena.db, arena.documents, arena.world, alice, client, [("alice-audit", "1")]
    )

    def cancel() -> None:
        with transaction(arena.db) as session:
            mark_cancelled(session, number, "client went bankrupt", datetime.now(UTC))

    outcomes = await asyncio.to_thread(race, [cancel] * ATTEMPTS)
    return one_winner(outcomes, "ok", "Conflict: the order is already cancelled")


async def quote_status_rows(arena: Arena) -> list[str]:
    """Status records of one quote written at once: the newest one stays, whatever the order.
    The newest starts first and the older ones a moment later, the worst case for a check
    read before the write."""
    alice = arena.world.members["alice"]
    client = arena.world.clients["acme"]
    order = seed_order(
        arena.db, arena.documents, arena.world, alice, client, [("alice-audit", "1")]
    )
    with arena.db() as session:
        number = session.get_one(Order, order).quote_number
    base = datetime.now(UTC) + timedelta(hours=1)
    statuses = [QuoteStatus.ORDERED, *[QuoteStatus.SENT] * (ATTEMPTS - 1)]
    records = [
        StatusRecord(number, status.value, 1, base - timedelta(seconds=n))
        for n, status in enumerate(statuses)
    ]
    recorder = QuoteActivities(arena.db)

    def write(record: StatusRecord, delay: float) -> Callable[[], None]:
        return lambda: (time.sleep(delay), recorder.record_quote_status(record))[1]

    delays = [0.0] + [PAUSE_SECONDS / 5] * (ATTEMPTS - 1)
    outcomes = await asyncio.to_thread(
        race, [write(r, d) for r, d in zip(records, delays, strict=True)]
    )
    with arena.db() as session:
        row = session.get_one(Quote, number)
    problems = [outcome for outcome in outcomes if outcome != "ok"]
    if (row.status, row.updated_at) != (QuoteStatus.ORDERED, base):
        problems.append(f"an older record overwrote the newest: {row.status} at {row.updated_at}")
    return problems


RACES: dict[str, Race] = {
    "registrations_with_one_code": registrations_with_one_code,
    "registrations_of_one_address": registrations_of_one_address,
    "offer_decisions": offer_decisions,
    "withdrawals": withdrawals,
    "removals": removals,
    "order_cancellations": order_cancellations,
    "quote_status_rows": quote_status_rows,
}


@pytest.mark.parametrize("name", RACES)
async def test_of_attempts_at_once_exactly_one_wins(arena: Arena, name: str) -> None:
    assert await RACES[name](arena) == []


def register_read_then_write(session: Session, payload: MemberCreate, now: datetime) -> object:
    """Registration checked by reads and written a moment later, as SQLite runs it when the
    code is read "FOR UPDATE" (it ignores the clause)."""
    invitation = session.scalars(
        select(Invitation).where(Invitation.code_hash == hash_secret(payload.invitation_code))
    ).one()
    if invitation.used_at is not None:
        raise RuleViolation("this invitation code has already been used", field="invitation_code")
    taken = session.scalars(
        select(Member).where(
            Member.cluster_id == invitation.cluster_id, Member.email == payload.email
        )
    ).first()
    if taken is not None:
        raise Conflict("this address already belongs to a member of the cluster", field="email")
    time.sleep(PAUSE_SECONDS)
    party = Party(name=payload.name, company=payload.company, email=payload.email)
    issued = store.membership._new_member(
        session, invitation.cluster_id, party, invited_by=invitation.inviter_id, founder=False
    )
    invitation.used_at, invitation.used_by_id = now, issued.member.id
    return issued


MUTANTS: dict[str, tuple[object, str, object]] = {
    "registrations_with_one_code": (api.routes.members, "register", register_read_then_write),
    "registrations_of_one_address": (api.routes.members, "register", register_read_then_write),
    "offer_decisions": (store.catalogue, "claim", claim_read_then_write),
    "withdrawals": (store.catalogue, "claim", claim_read_then_write),
    "removals": (store.membership, "claim", claim_read_then_write),
    "order_cancellations": (store.orders, "claim", claim_read_then_write),
    "quote_status_rows": (activities.quotes, "claim", claim_read_then_write),
}


@pytest.mark.parametrize("name", RACES)
async def test_each_race_catches_a_read_then_write(
    arena: Arena, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each race above can fail: with its change read first and written a moment later, the
    same race reports the double win."""
    module, attribute, naive = MUTANTS[name]
    monkeypatch.setattr(module, attribute, naive)

    assert await RACES[name](arena) != []
