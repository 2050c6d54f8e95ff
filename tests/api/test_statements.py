"""R24: GET /ledger and the statement PDF show, for a period, what the member earned, what it
owed and paid on its commission invoices, and the founder's parts it owes or is due — each from
an opening balance through rows with a running balance to a closing balance, to the cent."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from settings import Settings
from tests.api.statement_history import Deals, day
from tests.factories import OPERATOR, OPERATOR_KEY, World, expect
from tests.pdf import pdf_text
from tests.unit.test_documents import needs_poppler, pdf_info

PLATFORM = {
    "PLATFORM_LEGAL_NAME": "Arkanna Platform SAS",
    "PLATFORM_ADDRESS": "8 rue du Port, 69002 Lyon",
    "PLATFORM_REGISTRATION": "RCS Lyon 912 345 678",
    "PLATFORM_VAT_ID": "FR40912345678",
}
ALICE_IDENTITY = {
    "address": "Alice Ltd, 4 Harbour Road, Leith",
    "registration_number": "SC123456",
    "vat_id": "GB987654321",
}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        DATABASE_URL=database_url, OPERATOR_KEY=OPERATOR_KEY, SECRET_KEY="test-secret-key",
        OUTBOX_DIR=tmp_path / "outbox", DOCUMENTS_DIR=tmp_path / "documents",
        PUBLIC_BASE_URL="http://testserver", PLATFORM_TAX_RATE="20", **PLATFORM,
    )  # fmt: skip


@pytest.fixture
async def history(
    api: httpx.AsyncClient, world: World, db: sessionmaker[Session], settings: Settings
) -> dict[str, str]:
    """alice's deals from 40 days ago to 2 days ahead; returns the business numbers by name.

    alice-audit: 1000.00 a day at 10 % commission (+20 % tax), a founder service of 50.00 a
    day under it; bob-install: 1000.00 at 5 %, with the same founder service. alice was
    invited by the founder, bob by alice (affiliate shares 10 %, 5 %; platform fee 10 %).
    """
    alice, bob = world.members["alice"], world.members["bob"]
    expect(await api.patch("/members/me", json=ALICE_IDENTITY, headers=alice.headers), 200)
    acme = world.clients["acme"]
    bobs = expect(
        await api.post(
            "/clients",
            json={"company": "Bolt GmbH", "contact_name": "Bo", "email": "bo@bolt.example"},
            headers=bob.headers,
        ),
        201,
    )["id"]
    deals = Deals(db, settings.DOCUMENTS_DIR, world)
    n: dict[str, str] = {}
    n["O1"], inv = deals.open(-40, alice, acme, [("alice-audit", "2")])
    n["A1"] = inv[alice.id]
    deals.pay(-35, n["A1"], "TRX-A1")
    n["O0"], inv = deals.open(-20, alice, acme, [("alice-audit", "1")])
    n["A0"] = inv[alice.id]  # never paid
    n["O2"], inv = deals.open(-5, bob, bobs, [("alice-audit", "1"), ("bob-install", "1")])
    n["A2"], n["B2"] = inv[alice.id], inv[bob.id]
    deals.pay(-3, n["A2"], "TRX-A2")
    deals.pay(-3, n["B2"], "TRX-B2")
    n["O3"], inv = deals.open(-2, alice, acme, [("alice-audit", "1")])
    n["A3"] = inv[alice.id]
    n["O4"], inv = deals.open(-2, alice, acme, [("alice-audit", "3")])
    n["A4"] = inv[alice.id]
    deals.cancel(-1, n["O3"])  # unpaid: void, by a credit note
    n["CN3"] = await _credit_note_of(api, n["A3"])
    n["CN2"] = deals.correct(-1, n["A2"], 1200)  # paid: a rate error credited back
    deals.pay(-1, n["A4"], "TRX-A4")
    deals.cancel(0, n["O4"])  # paid and split: clawed back, by a credit note owed back
    n["CN4"] = await _credit_note_of(api, n["A4"])
    n["O5"], inv = deals.open(0, alice, acme, [("alice-audit", "1")])
    n["A5"] = inv[alice.id]
    n["O6"], inv = deals.open(2, alice, acme, [("alice-audit", "1")])  # after the period
    return n


async def _credit_note_of(api: httpx.AsyncClient, invoice: str) -> str:
    view = expect(await api.get(f"/commission-invoices/{invoice}", headers=OPERATOR), 200)
    return str(view["credit_notes"][-1]["number"])


def period() -> dict[str, str]:
    return {"from": str(day(-7)), "to": str(day(0))}


def rows_of(section: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(r["at"][:10], r["reference"], r["amount"], r["balance"]) for r in section["rows"]]


def by_kind(statement: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {section["kind"]: section for section in statement["sections"]}


async def test_ledger_shows_each_kind_with_opening_running_and_closing_balances(
    api: httpx.AsyncClient, world: World, history: dict[str, str]
) -> None:
    n, alice = history, world.members["alice"]
    answer = expect(await api.get("/ledger", params=period(), headers=alice.headers), 200)
    assert answer["balance"] == "175.00" and answer["account"] == f"member:{alice.id}"
    statement = answer["statement"]
    assert (statement["period_from"], statement["period_to"]) == (str(day(-7)), str(day(0)))
    sections = by_kind(statement)
    assert list(sections) == ["earnings", "commission_invoices", "founder_parts_owed"]
    earnings = sections["earnings"]
    # shares of 100.00 (her invoice A1 is 200.00): 80 % as seller, 10 % as bob's inviter
    assert (earnings["opening"], earnings["closing"]) == ("160.00", "175.00")
    assert rows_of(earnings) == [
        (str(day(-3)), n["A2"], "10.00", "170.00"),
        (str(day(-3)), n["B2"], "5.00", "175.00"),
        (str(day(-1)), n["A4"], "240.00", "415.00"),
        (str(day(0)), n["A4"], "-240.00", "175.00"),
    ]
    invoices = sections["commission_invoices"]
    # A0 unpaid, A5 just issued; A4 paid then cancelled and A2 corrected: owed back to alice.
    assert (invoices["opening"], invoices["closing"]) == ("120.00", "-132.00")
    assert rows_of(invoices) == [
        (str(day(-5)), n["A2"], "120.00", "240.00"),
        (str(day(-3)), n["A2"], "-120.00", "120.00"),
        (str(day(-2)), n["A3"], "120.00", "240.00"),
        (str(day(-2)), n["A4"], "360.00", "600.00"),
        (str(day(-1)), n["CN2"], "-12.00", "588.00"),
        (str(day(-1)), n["CN3"], "-120.00", "468.00"),
        (str(day(-1)), n["A4"], "-360.00", "108.00"),
        (str(day(0)), n["CN4"], "-360.00", "-252.00"),
        (str(day(0)), n["A5"], "120.00", "-132.00"),
    ]
    credited = [(r["reference"], r["invoice"], r["description"]) for r in invoices["rows"]
                if r["invoice"] is not None]  # fmt: skip
    assert credited == [
        (n["CN2"], n["A2"], f"Credit note correcting invoice {n['A2']}: rate error"),
        (n["CN3"], n["A3"], f"Credit note cancelling invoice {n['A3']}: client withdrew"),
        (n["CN4"], n["A4"], f"Credit note cancelling invoice {n['A4']}: withdrawn"),
    ]
    assert invoices["rows"][3]["description"].split(":")[0] == (
        f"Invoice for order {n['O4']}, due {day(28)}"
    )
    owed = sections["founder_parts_owed"]
    assert (owed["opening"], owed["closing"]) == ("150.00", "250.00")
    assert rows_of(owed) == [
        (str(day(-5)), n["O2"], "50.00", "200.00"),
        (str(day(-2)), n["O3"], "50.00", "250.00"),
        (str(day(-2)), n["O4"], "150.00", "400.00"),
        (str(day(-1)), n["O3"], "-50.00", "350.00"),
        (str(day(0)), n["O4"], "-150.00", "200.00"),
        (str(day(0)), n["O5"], "50.00", "250.00"),
    ]
    assert "Settled directly between members" in owed["meaning"]


async def test_the_founder_sees_the_parts_due_to_her_and_members_only_their_own(
    api: httpx.AsyncClient, world: World, history: dict[str, str]
) -> None:
    n = history
    founder = expect(await api.get("/ledger", params=period(), headers=world.founder.headers), 200)
    due = by_kind(founder["statement"])
    assert list(due) == ["earnings", "commission_invoices", "founder_parts_due"]
    parts = due["founder_parts_due"]
    assert (parts["opening"], parts["closing"]) == ("150.00", "300.00")
    assert [(r[1], r[2]) for r in rows_of(parts)] == [
        (n["O2"], "50.00"), (n["O2"], "50.00"), (n["O3"], "50.00"), (n["O4"], "150.00"),
        (n["O3"], "-50.00"), (n["O4"], "-150.00"), (n["O5"], "50.00"),
    ]  # fmt: skip
    assert {"owed by Alice Ltd" in r["description"] for r in parts["rows"][:2]} == {True, False}
    bob = world.members["bob"]
    bobs = by_kind(
        expect(await api.get("/ledger", params=period(), headers=bob.headers), 200)["statement"]
    )
    assert [rows_of(bobs["commission_invoices"])[i][1] for i in (0, 1)] == [n["B2"], n["B2"]]
    assert {r[1] for r in rows_of(bobs["founder_parts_owed"])} == {n["O2"]}
    alices = expect(
        await api.get(
            "/ledger", params={**period(), "member_id": world.members["alice"].id}, headers=OPERATOR
        ),
        200,
    )
    mine = expect(
        await api.get("/ledger", params=period(), headers=world.members["alice"].headers), 200
    )
    assert alices["statement"] == mine["statement"]
    everyone = expect(await api.get("/ledger", headers=OPERATOR), 200)
    assert everyone["statement"] is None and everyone["accounts"]
    assert n["B2"] not in {r[1] for r in rows_of(by_kind(mine["statement"])["commission_invoices"])}


async def test_periods_chain_and_a_bad_period_is_refused_by_name(
    api: httpx.AsyncClient, world: World, history: dict[str, str]
) -> None:
    alice = world.members["alice"].headers
    cuts = [-60, -36, -21, -6, -4, -2, -1, 0, 1, 3]
    for start, end in pairwise(cuts):
        first = by_kind(
            expect(
                await api.get(
                    "/ledger", params={"from": str(day(start)), "to": str(day(end - 1))},
                    headers=alice,
                ),
                200,
            )["statement"]
        )  # fmt: skip
        after = by_kind(
            expect(
                await api.get(
                    "/ledger", params={"from": str(day(end)), "to": str(day(end))}, headers=alice
                ),
                200,
            )["statement"]
        )
        for kind, section in first.items():
            assert section["closing"] == after[kind]["opening"], (kind, start, end)
    ever = expect(
        await api.get("/ledger", params={"from": "0001-01-01", "to": "9999-12-31"}, headers=alice),
        200,
    )
    whole = by_kind(ever["statement"])
    assert whole["earnings"]["closing"] == ever["balance"] == "175.00"
    assert {k: s["opening"] for k, s in whole.items()} == dict.fromkeys(whole, "0.00")
    assert whole["commission_invoices"]["rows"][-1]["reference"] != history["A5"]  # O6 too
    refused = await api.get(
        "/ledger", params={"from": str(day(0)), "to": str(day(-1))}, headers=alice
    )
    assert refused.status_code == 422 and "from" in refused.json()["detail"]
    bad = await api.get("/ledger", params={"to": "2026-02-30"}, headers=alice)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("to: must be a calendar")


@needs_poppler
async def test_the_statement_pdf_names_both_parties_and_every_balance(
    api: httpx.AsyncClient, world: World, history: dict[str, str]
) -> None:
    alice = world.members["alice"]
    path = f"/members/{alice.id}/statement.pdf"
    data = (await api.get(path, params=period(), headers=alice.headers)).content
    text = pdf_text(data)
    for expected in (
        *PLATFORM.values(), "Alice Ltd", *ALICE_IDENTITY.values(),
        f"{day(-7)} to {day(0)}",
        "Earnings (amounts in EUR)", f"{day(-7)} Opening balance 160.00",
        f"{day(0)} Closing balance 175.00",
        "Commission invoices you owe the platform (amounts in EUR)",
        f"{day(-7)} Opening balance 120.00", f"{day(0)} Closing balance -132.00",
        f"Credit note correcting invoice {history['CN2']} -12.00 588.00 {history['A2']}: rate",
        "Founder's parts you owe (amounts in EUR)", "Settled directly between members",
        f"{day(-7)} Opening balance 150.00", f"{day(0)} Closing balance 250.00",
        f"Payment received, reference TRX-A2 {history['A2']} -120.00 120.00",
        "Founder's parts you owe 250.00",
    ):  # fmt: skip
        assert expected in text, expected
    assert "Nothing in this period" not in text
    info = pdf_info(data)
    assert info["Title"] == f"Statement Alice Ltd {day(-7)} to {day(0)}"
    assert info["Author"] == PLATFORM["PLATFORM_LEGAL_NAME"]
    empty = pdf_text(
        (
            await api.get(
                path, params={"from": "2020-01-01", "to": "2020-01-31"}, headers=alice.headers
            )
        ).content
    )
    assert empty.count("Nothing in this period") == 3
