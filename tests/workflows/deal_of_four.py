"""A closed deal with four suppliers besides the seller's own line, and what is private to each.

Prices, quantities and discounts are chosen so that every line's net, every commission and the
total are distinct amounts, none equal to a catalogue price: an amount found in an answer can
only have come from the deal.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from documents.layout import money
from tests.factories import (
    OPERATOR,
    Actor,
    World,
    add_client,
    add_offer,
    expect,
    found_cluster,
    join,
)
from tests.pdf import pdf_text
from tests.workflows.commission_helpers import invoices
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import accept, decide, launch, line, outbox

SIGNER = "Sigrid Signer"
CLIENT_PO = "PO-CLIENT-4711"

# label: (owner, unit price, procurement, commission rate, quantity, discount)
OFFERS = {
    "Alice Survey": ("alice", "1000.00", "direct", "10", "2", "5"),
    "Bob Scaffolding": ("bob", "1234.00", "resell", "5", "3", "10"),
    "Carol Wiring": ("carol", "777.00", "direct", "10", "4", "0"),
    "Dave Glazing": ("dave", "555.55", "resell", "8", "7", "2"),
    "Founder Workshop": ("founder", "310.00", "direct", "10", "3", "0"),
}


@dataclass
class Deal:
    world: World
    seller: Actor
    suppliers: dict[str, Actor]
    order: dict[str, Any]  # as the operator reads it
    quote: str
    open_quote: str
    invoices: dict[int, dict[str, Any]] = field(default_factory=dict)
    credit_notes: list[str] = field(default_factory=list)  # once the order is cancelled


async def _catalogue(live: Live) -> World:
    world = await found_cluster(live.api, settings=FAST)
    world.members["founder"] = world.founder
    await add_offer(live.api, world, world.founder, "Founder Platform", unit_price="200.00")
    inviter = world.founder
    for name in ("alice", "bob", "carol", "dave"):
        inviter = await join(live.api, world, inviter, name)
    for label, (owner, price, mode, rate, _, _) in OFFERS.items():
        await add_offer(
            live.api,
            world,
            world.members[owner],
            label,
            founder_offer="Founder Platform",
            unit_price=price,
            procurement=mode,
            commission_rate=rate,
            max_discount="20",
        )
    await add_client(live.api, world, world.members["alice"], "acme")
    return world


async def _approved_by_all(live: Live, world: World, quote: dict[str, Any]) -> None:
    for approval in quote["approvals"]:
        if approval["status"] == "pending":
            who = next(a for a in world.members.values() if a.id == approval["supplier_id"])
            expect(await decide(live, quote["number"], who, quote["revision"]), 200)


async def close_deal_of_four(live: Live) -> Deal:
    """Quote → all approve → accepted with a signer and a PO → order and its invoices; and a
    second quote with the same lines, left waiting for its suppliers."""
    world = await _catalogue(live)
    alice = world.members["alice"]
    lines = [line(world, label, qty, disc) for label, (*_, qty, disc) in OFFERS.items()]
    quote = await launch(live, world, alice, lines)
    await _approved_by_all(live, world, quote)
    await accept(live, alice, quote["number"], signer_name=SIGNER, po_reference=CLIENT_PO)
    done = await live.until(quote["number"], alice.headers, "ordered")
    order = expect(await live.api.get(f"/orders/{done['order_number']}", headers=OPERATOR), 200)
    open_quote = await launch(live, world, alice, lines)
    suppliers = {n: world.members[n] for n in ("bob", "carol", "dave", "founder")}
    deal = Deal(world, alice, suppliers, order, quote["number"], open_quote["number"])
    deal.invoices = await invoices(live, order["number"])
    await _mails_settled(live, len(deal.invoices))
    return deal


async def _mails_settled(live: Live, invoice_count: int, within: float = 20) -> None:
    """Every commission invoice emailed: the last emails a supplier receives for the deal."""
    deadline = asyncio.get_running_loop().time() + within
    while sum("Commission invoice" in str(m["Subject"]) for m in outbox(live)) < invoice_count:
        assert asyncio.get_running_loop().time() < deadline, "commission invoices not emailed"
        await asyncio.sleep(0.2)


def amount_pattern(cents_text: str) -> re.Pattern[str]:
    """An amount as the API ("3331.80") or a PDF ("3 331.80") spells it, not inside another."""
    cents = int(cents_text.replace(".", ""))
    spellings = {cents_text, money(cents)}
    either = "|".join(re.escape(s) for s in sorted(spellings))
    return re.compile(rf"(?<![\d.])(?:{either})(?!\d)")


@dataclass
class Secrets:
    """What one supplier must never read: other suppliers' lines and amounts, the deal's total,
    the client's signer and purchase-order reference."""

    names: set[str]
    offer_ids: set[int]
    amounts: set[str]

    def found_in(self, text: str, *, json: bool) -> list[str]:
        found = [name for name in self.names if name in text]
        found += [a for a in self.amounts if amount_pattern(a).search(text)]
        if json:
            found += [
                f"offer_id {i}" for i in self.offer_ids if re.search(rf'"offer_id":\s*{i}\b', text)
            ]
        return found


def secrets_of(deal: Deal, supplier: Actor) -> Secrets:
    others = [row for row in deal.order["lines"] if row["supplier_id"] != supplier.id]
    own = [row for row in deal.order["lines"] if row["supplier_id"] == supplier.id]
    amounts = {row["net"] for row in others} | {deal.order["total"]}
    amounts |= {inv["amount"] for sid, inv in deal.invoices.items() if sid != supplier.id}
    allowed = {row["net"] for row in own} | {
        inv["amount"] for sid, inv in deal.invoices.items() if sid == supplier.id
    }
    assert not amounts & allowed, "the deal must give each supplier amounts of its own"
    return Secrets(
        names={row["offer_name"] for row in others} | {SIGNER, CLIENT_PO},
        offer_ids={int(row["offer_id"]) for row in others},
        amounts=amounts,
    )


def mail_text(message: Message) -> str:
    """Subject, the plain-text part and the text of every PDF attached (the HTML part says
    the same as the text one)."""
    parts = [str(message["Subject"])]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if part.get_content_type() == "application/pdf":
            parts.append(pdf_text(payload))
        elif part.get_content_type() == "text/plain":
            parts.append(payload.decode(part.get_content_charset() or "utf-8"))
    return "\n".join(parts)
