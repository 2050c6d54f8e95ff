"""GET /ledger and GET /members/{id}/statement.pdf: each member its own, operators every account."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.statement_views import sections_of
from models.commission import Clawback
from models.statements import StatementSection
from settings import Settings
from store.tables import Member
from tests.factories import OPERATOR, World, expect
from tests.ledger_seed import cancellation_steps, issue, pay_and_split, seed_order


@pytest.fixture
async def split(world: World, db: sessionmaker[Session], settings: Settings) -> str:
    """alice sold her own audit (commission 100.00) and the invoice is paid and split."""
    docs = settings.DOCUMENTS_DIR
    alice = world.members["alice"]
    order = seed_order(db, docs, world, alice, world.clients["acme"], [("alice-audit", "1")])
    [invoice] = issue(db, docs, order)
    pay_and_split(db, docs, invoice)
    return invoice.number


async def test_a_member_reads_its_own_postings_and_balance(
    api: httpx.AsyncClient, world: World, split: str, other: World
) -> None:
    alice, bob = world.members["alice"], world.members["bob"]
    mine = expect(await api.get("/ledger", headers=alice.headers), 200)
    assert (mine["account"], mine["balance"]) == (f"member:{alice.id}", "80.00")
    [entry] = mine["items"]
    assert (entry["invoice_number"], entry["role"], entry["amount"]) == (split, "seller", "80.00")
    assert (entry["debit_account"], entry["credit_account"]) == (
        "clearing:commission",
        f"member:{alice.id}",
    )
    founder = expect(await api.get("/ledger", headers=world.founder.headers), 200)
    assert founder["balance"] == "10.00"  # alice's inviter, level 1
    assert expect(await api.get("/ledger", headers=bob.headers), 200)["items"] == []
    for stranger in (bob, other.founder):
        peek = await api.get(f"/ledger?member_id={alice.id}", headers=stranger.headers)
        assert peek.status_code == 404


async def test_operators_read_every_account_and_the_books_balance(
    api: httpx.AsyncClient, world: World, split: str
) -> None:
    everything = expect(await api.get("/ledger", headers=OPERATOR), 200)
    accounts = {a["account"]: a["balance"] for a in everything["accounts"]}
    assert accounts == {
        "clearing:commission": "-120.00",
        "platform": "10.00",
        "platform:tax_payable": "20.00",
        f"member:{world.founder.id}": "10.00",
        f"member:{world.members['alice'].id}": "80.00",
    }
    assert len(everything["items"]) == 4  # three shares and the tax
    alice = world.members["alice"]
    one = expect(await api.get(f"/ledger?member_id={alice.id}", headers=OPERATOR), 200)
    assert one["balance"] == "80.00" and len(one["items"]) == 1
    assert (await api.get("/ledger?member_id=99999", headers=OPERATOR)).status_code == 404
    assert (await api.get("/ledger?member_id=0", headers=OPERATOR)).status_code == 422


async def test_statement_pdf_for_a_period(
    api: httpx.AsyncClient, world: World, split: str, other: World
) -> None:
    alice = world.members["alice"]
    path = f"/members/{alice.id}/statement.pdf"
    for who in (alice.headers, OPERATOR):
        pdf = await api.get(path, headers=who)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
    for stranger in (world.members["bob"].headers, other.founder.headers):
        assert (await api.get(path, headers=stranger)).status_code == 404
    backwards = await api.get(f"{path}?from=2026-03-02&to=2026-03-01", headers=OPERATOR)
    assert backwards.status_code == 422 and "from" in backwards.json()["detail"]
    assert (await api.get(f"{path}?from=yesterday", headers=OPERATOR)).status_code == 422


async def test_statement_balances_carry_over_and_a_clawback_nets_to_zero(
    db: sessionmaker[Session], world: World, split: str, tmp_path: Path
) -> None:
    today = datetime.now(UTC).date()
    alice_id = world.members["alice"].id

    def earnings(start: date, end: date) -> StatementSection:
        with db() as session:
            sections = sections_of(session, session.get_one(Member, alice_id), start, end)
        return sections[0]

    period = earnings(today, today)
    later = earnings(today + timedelta(days=1), today + timedelta(days=2))
    assert (period.opening_cents, period.closing_cents) == (0, 8_000)
    assert [r.movement.amount_cents for r in period.rows] == [8_000]
    assert (later.opening_cents, later.rows, later.closing_cents) == (8_000, (), 8_000)
    cancellation_steps(db, tmp_path / "documents").post_commission_reversal(
        Clawback(split, "order cancelled")
    )
    after = earnings(today, today)
    assert [r.movement.amount_cents for r in after.rows] == [8_000, -8_000]
    assert after.closing_cents == 0
    assert after.rows[1].movement.description.startswith("Clawback")


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("to=9999-12-31", None, "9999-12-31"),
        ("from=0001-01-01&to=9999-12-31", "0001-01-01", "9999-12-31"),
        ("from=0001-01-01&to=0001-01-01", "0001-01-01", "0001-01-01"),
    ],
)
async def test_a_statement_spans_any_calendar_days(
    api: httpx.AsyncClient, world: World, split: str, period: str, first: str | None, last: str
) -> None:
    alice = world.members["alice"]
    path = f"/members/{alice.id}/statement.pdf?{period}"
    pdf = await api.get(path, headers=alice.headers)
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF") and last in pdf.headers["content-disposition"]
    assert first is None or first in pdf.headers["content-disposition"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("to=0", "to"), ("from=0", "from"), ("to=20260131", "to"), ("from=2026-02-30", "from")],
)
async def test_a_statement_day_that_is_no_iso_date_is_refused_by_name(
    api: httpx.AsyncClient, world: World, query: str, field: str
) -> None:
    alice = world.members["alice"]
    refused = await api.get(f"/members/{alice.id}/statement.pdf?{query}", headers=alice.headers)
    assert refused.status_code == 422
    assert (
        refused.json()["detail"]
        == f"{field}: must be a calendar date written YYYY-MM-DD, like 2026-01-31"
    )
