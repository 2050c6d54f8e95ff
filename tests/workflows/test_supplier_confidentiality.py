"""A supplier reads its own lines and its own part only, on every route it may call and in
every email it receives: never another supplier's line, offer or amount, the deal's total, or
the client's signer and purchase-order reference.

The routes are derived from the application and the authorization matrix, so a route added
later is checked too (or fails here for want of a placeholder).
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Iterator
from typing import Any

from api.app import create_app
from tests.factories import OPERATOR, Actor, expect
from tests.pdf import pdf_text
from tests.workflows.conftest import Live
from tests.workflows.deal_of_four import (
    Deal,
    Secrets,
    close_deal_of_four,
    mail_text,
    secrets_of,
)
from tests.workflows.helpers import outbox
from tests.workflows.test_authorization_matrix import MATRIX, PUBLIC, Row, _route_key

# The catalogue of validated offers is every member's to read (R6): it shows offers, not
# what was quoted to whom, at what quantity or for how much.
CATALOGUE = {("GET", "/offers"), ("GET", "/offers/{}")}
PLACEHOLDER = re.compile(r"{(\w+)}")


def supplier_routes(live: Live, role: str) -> list[Row]:
    """Every route of the app a supplier may read, plus its decision on a quote: from the
    app's routes, with the matrix saying which the role may call."""
    rows = {_route_key(row.method, row.path): row for row in MATRIX}
    found = []
    for path, operations in create_app(live.settings).openapi()["paths"].items():
        for method in operations:
            key = _route_key(method, path)
            row = rows[key]
            if key in CATALOGUE or row.expected[role] == PUBLIC:
                continue
            if key[0] == "GET" or row.path.endswith("/decisions"):
                found.append(row)
    assert len(found) > 15, "the supplier's routes were not found"
    return found


def _ids(deal: Deal, supplier: Actor) -> dict[str, list[Any]]:
    """Each placeholder's values: the supplier's own objects and everyone else's."""
    world = deal.world
    return {
        "cluster": [world.cluster_id],
        "member": [deal.seller.id],
        "seller": [deal.seller.id],
        "client": list(world.clients.values()),
        "ordered_quote": [deal.quote],
        "open_quote": [deal.open_quote],
        "order": [deal.order["number"]],
        "supplier": [a.id for a in world.members.values()],
        "invoice": [inv["number"] for inv in deal.invoices.values()],
        "credit_note": deal.credit_notes,
        # No payout in this deal: these routes answer a supplier 403 or 404 without a read.
        "payout_run": [1],
        "self_billed": ["SB-1-2026-00001"],
    }


def _paths(row: Row, ids: dict[str, list[Any]]) -> Iterator[str]:
    names = PLACEHOLDER.findall(row.path)
    for values in itertools.product(*(ids[name] for name in names)):
        yield row.path.format(**dict(zip(names, values, strict=True)))


async def _leaks(live: Live, deal: Deal, supplier: Actor, role: str, secrets: Secrets) -> list[str]:
    leaks = []
    for row in supplier_routes(live, role):
        for path in _paths(row, _ids(deal, supplier)):
            body = {"revision": 1, "decision": "approve"} if row.method == "POST" else None
            response = await live.api.request(row.method, path, json=body, headers=supplier.headers)
            assert response.status_code < 500, f"{row.method} {path}: {response.text}"
            pdf = response.headers.get("content-type", "").startswith("application/pdf")
            text = pdf_text(response.content) if pdf else response.text
            if found := secrets.found_in(text, json=not pdf):
                leaks.append(f"{supplier.name}: {row.method} {path} shows {sorted(found)}")
    return leaks


def _mail_leaks(live: Live, supplier: Actor, email: str, secrets: Secrets) -> list[str]:
    received = [m for m in outbox(live) if email in str(m["To"])]
    assert received, f"{supplier.name} received no email"
    return [
        f"{supplier.name}: email {m['Subject']!r} shows {sorted(found)}"
        for m in received
        if (found := secrets.found_in(mail_text(m), json=False))
    ]


async def _cancelled_by_credit_notes(live: Live, deal: Deal) -> None:
    """The closed deal's order cancelled: one credit note per invoice, each emailed to its
    supplier, so that credit notes are read on every route and in the outbox too."""
    body = {"reason": "the client's company closed"}
    expect(
        await live.api.post(f"/orders/{deal.order['number']}/cancel", json=body, headers=OPERATOR),
        200,
    )
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        notes = [
            note["number"]
            for inv in deal.invoices.values()
            for note in expect(
                await live.api.get(f"/commission-invoices/{inv['number']}", headers=OPERATOR), 200
            )["credit_notes"]
        ]
        mailed = sum("Credit note" in str(m["Subject"]) for m in outbox(live))
        if len(notes) == len(deal.invoices) and mailed == len(notes):
            deal.credit_notes = notes
            return
        assert asyncio.get_running_loop().time() < deadline, f"credit notes: {notes}, {mailed}"
        await asyncio.sleep(0.2)


async def test_a_supplier_reads_only_its_own_part_everywhere(live: Live) -> None:
    deal = await close_deal_of_four(live)
    await _cancelled_by_credit_notes(live, deal)
    leaks: list[str] = []
    for name, supplier in deal.suppliers.items():
        role = "founder" if name == "founder" else "supplier"
        secrets = secrets_of(deal, supplier)
        me = expect(await live.api.get("/members/me", headers=supplier.headers), 200)
        leaks += await _leaks(live, deal, supplier, role, secrets)
        leaks += _mail_leaks(live, supplier, me["email"], secrets)
    assert leaks == [], "\n".join(leaks)


async def test_a_supplier_reads_its_own_lines_part_and_procurement(live: Live) -> None:
    deal = await close_deal_of_four(live)
    bob = deal.suppliers["bob"]
    order = expect(await live.api.get(f"/orders/{deal.order['number']}", headers=bob.headers), 200)
    own = [row for row in deal.order["lines"] if row["supplier_id"] == bob.id]
    assert order["lines"] == own and order["part"] == own[0]["net"]
    assert order["total"] is None and order["signer_name"] is None
    assert order["po_reference"] is None
    assert [p["supplier_id"] for p in order["procurement"]] == [bob.id]
    quote = expect(await live.api.get(f"/quotes/{deal.quote}", headers=bob.headers), 200)
    assert [a["supplier_id"] for a in quote["approvals"]] == [bob.id]
    assert quote["part"] == own[0]["net"] and quote["total"] is None
    listed = expect(await live.api.get("/quotes", headers=bob.headers), 200)["items"]
    assert {(q["total"], q["part"]) for q in listed} == {(None, own[0]["net"])}
    founder = deal.suppliers["founder"]
    view = expect(
        await live.api.get(f"/orders/{deal.order['number']}", headers=founder.headers), 200
    )
    # The founder: its own line, and every founder service with who owes it.
    assert [row["offer_name"] for row in view["lines"]] == ["Founder Workshop"]
    owed_by = {c["owed_by"] for c in view["founder_components"]}
    assert owed_by == {a.id for a in deal.world.members.values() if a.id != founder.id}
