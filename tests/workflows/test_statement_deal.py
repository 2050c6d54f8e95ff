"""R24 on deals run by the workflows: after a paid and split invoice, an unpaid one, and an order
cancelled while its invoice was unpaid, each member's statement in GET /ledger shows what it
earned, owed and paid, and the founder's parts, to the cent."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tests.factories import OPERATOR, Actor, catalogue_world, expect
from tests.workflows.commission_helpers import close_deal, invoice_until, invoices, pay
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import line

# The catalogue world's offers: 1000.00 a unit; alice-audit at 10 %, bob-install at 5 %; each
# embeds one founder service of 50.00 a unit. The platform's tax is 20 %.
PRICE, FOUNDER_PART, TAX = Decimal("1000.00"), Decimal("50.00"), Decimal("0.20")


def due(rate: Decimal) -> str:
    commission = PRICE * rate
    return f"{commission + commission * TAX:.2f}"


async def statement(live: Live, who: Actor) -> dict[str, dict[str, Any]]:
    today = str(datetime.now(UTC).date())
    params = {"from": today, "to": today}
    answer = expect(await live.api.get("/ledger", params=params, headers=who.headers), 200)
    return {s["kind"]: s for s in answer["statement"]["sections"]}


def amounts(section: dict[str, Any]) -> list[tuple[str, str]]:
    return [(row["reference"], row["amount"]) for row in section["rows"]]


async def test_statements_follow_deals_run_by_the_workflows(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob = world.members["alice"], world.members["bob"]
    first = await close_deal(
        live, world, alice, [line(world, "alice-audit"), line(world, "bob-install")]
    )
    issued = await invoices(live, first)
    paid, unpaid = issued[alice.id]["number"], issued[bob.id]["number"]
    expect(await pay(live, paid, due(Decimal("0.10")), "TRX-77"), 200)
    await invoice_until(live, paid, "split")
    second = await close_deal(live, world, alice, [line(world, "alice-audit")])
    voided = (await invoices(live, second))[alice.id]["number"]
    cancel = {"reason": "client withdrew"}
    expect(await live.api.post(f"/orders/{second}/cancel", json=cancel, headers=OPERATOR), 200)
    await invoice_until(live, voided, "void")
    view = expect(await live.api.get(f"/commission-invoices/{voided}", headers=OPERATOR), 200)
    [credit_note] = [note["number"] for note in view["credit_notes"]]

    mine = await statement(live, alice)
    # 100.00 commission: 10 % platform fee, 10 % to alice's inviter (the founder), 80 % hers
    assert amounts(mine["earnings"]) == [(paid, "80.00")]
    # The void invoice is cancelled by its credit note: a row of its own, naming the invoice.
    invoice_rows = [(paid, "120.00"), (paid, "-120.00"), (voided, "120.00"),
                    (credit_note, "-120.00")]  # fmt: skip
    assert amounts(mine["commission_invoices"]) == invoice_rows
    assert mine["commission_invoices"]["rows"][3]["invoice"] == voided
    assert "TRX-77" in mine["commission_invoices"]["rows"][1]["description"]
    owed = mine["founder_parts_owed"]
    assert amounts(owed) == [(first, "50.00"), (second, "50.00"), (second, "-50.00")]
    assert (owed["opening"], owed["closing"]) == ("0.00", f"{FOUNDER_PART:.2f}")
    bobs = await statement(live, bob)
    assert amounts(bobs["commission_invoices"]) == [(unpaid, due(Decimal("0.05")))]
    assert bobs["commission_invoices"]["closing"] == "60.00"
    assert amounts(bobs["founder_parts_owed"]) == [(first, "50.00")]
    founder = await statement(live, world.founder)
    assert amounts(founder["earnings"]) == [(paid, "10.00")]
    assert founder["founder_parts_due"]["closing"] == f"{2 * FOUNDER_PART:.2f}"
    assert "founder_parts_owed" not in founder
