"""The quote PDF's totals are the quote's: taxes per rate over every supplier's lines."""

from __future__ import annotations

from decimal import Decimal

from documents.layout import money
from tests.factories import catalogue_world, expect
from tests.pdf import pdf_text
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import decide, launch, line


def _cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


async def test_the_pdf_taxes_every_suppliers_lines_as_the_view_does(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob = world.members["alice"], world.members["bob"]
    lines = [line(world, "alice-audit"), line(world, "bob-install", "3")]
    number = (await launch(live, world, alice, lines))["number"]
    for supplier in (bob, world.founder):
        expect(await decide(live, number, supplier, 1), 200)
    quote = await live.until(number, alice.headers, "sent")
    assert len({ln["supplier_id"] for ln in quote["lines"]}) == 2

    pdf = await live.api.get(f"/quotes/{number}/pdf", headers=alice.headers)
    assert pdf.status_code == 200, pdf.text
    text = pdf_text(pdf.content)
    for tax in quote["taxes"]:
        assert f"on {money(_cents(tax['base']))}" in text, text
        assert money(_cents(tax["amount"])) in text
    assert f"Total with tax {money(_cents(quote['total_with_tax']))}" in text, text
