"""R26 on the real stack: camt.053/054 documents of several banks' shapes pay commission
invoices through their workflows (the same split as an operator's payment), once, however often
and however concurrently they are imported; the rest waits in the suspense list."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from documents.camt import read_statement
from store.bank import store_statements
from store.tables import BankLine, LedgerEntry
from tests.api.races import race
from tests.camt_fixtures import Entry, Tx, assert_valid, document
from tests.factories import OPERATOR, catalogue_world, expect
from tests.workflows.commission_helpers import close_deal, invoice_until, invoices, shares
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import line

XML = {**OPERATOR, "Content-Type": "application/xml"}


async def post(live: Live, data: bytes) -> Any:
    return await live.api.post("/bank-statements", content=data, headers=XML)


def postings(live: Live, number: str) -> int:
    with live.db() as session:
        query = select(func.count()).where(LedgerEntry.invoice_number == number)
        return int(session.scalar(query) or 0)


async def suspense(live: Live) -> list[dict[str, Any]]:
    page = expect(await live.api.get("/bank-statements/suspense", headers=OPERATOR), 200)
    return list(page["items"])


def two_banks(a1: str, a2: str, b1: str, c1: str) -> tuple[bytes, bytes]:
    """Bank one: structured references, a return and a fee. Bank two: a batch booking (one
    reference in free text without hyphens, one payment by amount and payer) and a partial."""
    first = document(
        [
            Entry("120.00", acct_ref="BNK1-0001", txs=[Tx(payer="Alice Ltd", scor=a1)]),
            Entry("120.00", credit=False, reversal=True, acct_ref="BNK1-0002"),
            Entry("2.50", credit=False, acct_ref="BNK1-0003", info="Frais"),
        ],
        "BNK1-2026-12-04",
    )
    batch = [
        Tx("120.00", "Zed Holding", ustrd=f"Facture {a2.replace('-', '')} merci"),
        Tx("120.00", "BOB LTD"),
    ]
    second = document(
        [
            Entry("240.00", ntry_ref="BNK2-77", txs=batch),
            Entry("60.00", ntry_ref="BNK2-78", txs=[Tx(payer="Alice Ltd", ustrd=c1)]),
        ],
        "BNK2-0412",
    )
    return assert_valid(first), assert_valid(second)


async def test_statements_pay_invoices_once_and_keep_the_rest_in_suspense(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob = world.members["alice"], world.members["bob"]
    orders = [await close_deal(live, world, alice, [line(world, "alice-audit")]) for _ in range(3)]
    orders.append(await close_deal(live, world, bob, [line(world, "bob-install", "2")]))
    a1, a2, c1 = [(await invoices(live, o))[alice.id]["number"] for o in orders[:3]]
    b1 = (await invoices(live, orders[3]))[bob.id]["number"]
    first, second = two_banks(a1, a2, b1, c1)

    answers = [expect(await post(live, data), 200) for data in (first, second)]
    assert answers[0] == {
        "statements": 1,
        "new": 3,
        "known": 0,
        "matched": 1,
        "suspense": 1,
        "outgoing": 1,
        "posted": 1,
    }
    assert answers[1] == {
        "statements": 1,
        "new": 3,
        "known": 0,
        "matched": 2,
        "suspense": 1,
        "outgoing": 0,
        "posted": 2,
    }
    for number in (a1, a2, b1):
        view = await invoice_until(live, number, "split")
        assert sum(int(s["amount"].replace(".", "")) for s in view["shares"]) == 10_000
        assert view["payment_reference"].startswith("FR76")
    split = {
        n: (shares(await invoice_until(live, n, "split")), postings(live, n)) for n in (a1, a2, b1)
    }

    # Again, and twice at once: every line known, nothing posted, the splits unchanged.
    again = await asyncio.gather(*(post(live, d) for d in (first, second, first, second)))
    for answer in again:
        body = expect(answer, 200)
        assert (body["new"], body["known"], body["posted"]) == (0, 3, 0)
    for number, (before, count) in split.items():
        after = await invoice_until(live, number, "split")
        assert (shares(after), postings(live, number)) == (before, count)

    reasons = {item["reason"] for item in await suspense(live)}
    assert reasons == {
        "a return (reversal) of an earlier booking",
        f"partial payment of {c1}: 60.00 received, 120.00 due",
    }


async def test_an_operator_assigns_or_refunds_what_waits_in_suspense(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    order = await close_deal(live, world, alice, [line(world, "alice-audit")])
    number = (await invoices(live, order))[alice.id]["number"]
    kind = "camt.054.001.08"
    notice = document(
        [
            Entry("60.00", acct_ref="N-1", txs=[Tx(payer="Alice Ltd", scor=number)]),
            Entry("120.00", acct_ref="N-2", txs=[Tx(payer="Unknown GmbH", ustrd="commission")]),
            Entry("120.00", acct_ref="N-3", txs=[Tx(payer="Someone", ustrd="again")]),
        ],
        "NTF-1",
        kind,
    )
    expect(await post(live, assert_valid(notice, kind)), 200)
    partial, exact, extra = await suspense(live)
    base = "/bank-statements/suspense"

    refused = await live.api.post(
        f"{base}/{partial['id']}/assign", json={"invoice_number": number}, headers=OPERATOR
    )
    assert refused.status_code == 422
    detail = f"invoice_number: partial payment of {number}: 60.00 received, 120.00 due"
    assert refused.json()["detail"] == detail
    path = f"{base}/{partial['id']}/refund"
    refund = expect(
        await live.api.post(path, json={"reason": "paid in full later"}, headers=OPERATOR), 200
    )
    assert (refund["status"], refund["refund_reason"]) == ("refund", "paid in full later")
    twice = await live.api.post(path, json={"reason": "x"}, headers=OPERATOR)
    assert twice.status_code == 409

    path = f"{base}/{exact['id']}/assign"
    assigned = expect(
        await live.api.post(path, json={"invoice_number": number}, headers=OPERATOR), 200
    )
    assert (assigned["status"], assigned["invoice_number"]) == ("posted", number)
    split = await invoice_until(live, number, "split")
    assert split["payment_reference"].endswith("|N-2")

    path = f"{base}/{extra['id']}/assign"
    paid = await live.api.post(path, json={"invoice_number": number}, headers=OPERATOR)
    assert paid.status_code == 409 and "takes no payment" in paid.json()["detail"]
    missing = await live.api.post(path, json={"invoice_number": "C-2000-99999"}, headers=OPERATOR)
    assert missing.status_code == 404
    assert [item["id"] for item in await suspense(live)] == [extra["id"]]


async def test_parallel_imports_store_each_line_once(live: Live) -> None:
    data = assert_valid(
        document([Entry(f"{n}.00", acct_ref=f"PAR-{n}", credit=False) for n in (1, 2, 3)], "PAR")
    )
    statements = read_statement(data)
    outcomes: list[Any] = []
    attempts = [lambda: outcomes.append(store_statements(live.db, statements)) for _ in range(4)]
    assert race(attempts) == ["ok"] * 4
    assert sorted(c["new"] for c in outcomes) == [0, 0, 0, 3]
    with live.db() as session:
        query = select(func.count()).where(BankLine.line_key.like("%|PAR-%"))
        assert session.scalar(query) == 3


async def test_a_broken_statement_is_refused_by_line_and_nothing_is_stored(live: Live) -> None:
    broken = document([Entry("1.00", acct_ref="BRK-1"), Entry("1,00", acct_ref="BRK-2")], "BRK")
    answer = await post(live, broken)
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("body: line 6: Element 'Amt': '1,00'")
    with live.db() as session:
        query = select(func.count()).where(BankLine.line_key.like("%|BRK-%"))
        assert session.scalar(query) == 0
