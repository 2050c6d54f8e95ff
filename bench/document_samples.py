"""Sample documents for the PDF benchmarks: a 100-line quote from 10 suppliers, a commission
invoice and a purchase order of a deal's usual size, with every identity filled in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from models.documents import (
    CommissionLineView,
    FounderComponentView,
    InvoicePdf,
    LegalIdentity,
    LineView,
    PartyView,
    PlatformIdentity,
    PurchaseLineView,
    PurchaseOrderPdf,
    QuotePdf,
    SupplierBlock,
    TaxSummary,
    tax_summary,
)

SELLER = PartyView(
    "Sam Seller", "Seller AG", "sam@seller.example", "Rheinstrasse 12\n4051 Basel",
    "CHE-123.456.789", "CHE-123.456.789 MWST",
)  # fmt: skip
CLIENT = PartyView(
    "Cleo Client", "Client SA", "cleo@client.example", "3 quai Kléber\n67000 Strasbourg",
    "RCS Strasbourg 123 456 789", "FR40123456789",
)  # fmt: skip
PLATFORM = PartyView(
    "Arkanna SAS", "Arkanna SAS", "billing@arkanna.example", "1 rue de Rivoli\n75001 Paris",
    "RCS Paris 900 000 001", "FR12900000001",
)  # fmt: skip
PLATFORM_ID = PlatformIdentity(
    "Arkanna SAS", "1 rue de Rivoli, 75001 Paris", "RCS Paris 900 000 001", "FR12900000001",
    "FR7630006000011234567890189", "AGRIFRPP",
)  # fmt: skip


def build_quote(suppliers: int = 10, lines_each: int = 10) -> QuotePdf:
    blocks = []
    for s in range(suppliers):
        lines = []
        for i in range(lines_each):
            position = s * lines_each + i + 1
            quantity = Decimal(1 + position % 7)
            price = 12_500 + 731 * position
            discount = Decimal(position % 4 * 5)
            net = int(quantity * price * (100 - discount) / 100)
            founder = FounderComponentView("Cluster onboarding", "Nora Founder", quantity, 500)
            lines.append(
                LineView(
                    position, f"Industrial service package {position} with on-site support",
                    "day", quantity, price, discount, net,
                    "resell" if position % 3 == 0 else "direct", founder,
                    Decimal("5.5") if position % 5 == 0 else Decimal(20),
                )
            )  # fmt: skip
        subtotal = sum(x.net_cents for x in lines)
        blocks.append(SupplierBlock(f"Contact {s}", f"Supplier {s} GmbH", tuple(lines), subtotal))
    return QuotePdf(
        cluster_name="Rhine Valley Industrials",
        currency="EUR",
        number="Q-2026-00042",
        revision=3,
        issued_on=date(2026, 3, 2),
        valid_until=date(2026, 4, 1),
        seller=SELLER,
        client=CLIENT,
        tax=quote_tax(blocks),
        platform=PLATFORM,
        note="Prices include installation where stated.",
        terms="Payment within 30 days of invoice.\nDelivery as agreed per supplier.",
        total_cents=sum(b.subtotal_cents for b in blocks),
        suppliers=tuple(blocks),
    )


def quote_tax(blocks: list[SupplierBlock]) -> TaxSummary:
    lines = [(x.net_cents, x.tax_rate) for b in blocks for x in b.lines]
    return tax_summary(lines, sum(n for n, _ in lines))


def build_invoice(lines: int = 3) -> InvoicePdf:
    """A commission invoice on one supplier's lines of a deal."""
    views = tuple(
        CommissionLineView(f"Industrial service package {i}", 125_000 + 731 * i, Decimal(10),
                           Decimal(125_000 + 731 * i) / 10)
        for i in range(1, lines + 1)
    )  # fmt: skip
    amount = sum(round(x.commission_cents) for x in views)
    return InvoicePdf(
        number="C-2026-00042", order_number="O-2026-00042", quote_number="Q-2026-00042",
        issued_on=date(2026, 3, 9), due_on=date(2026, 4, 8), currency="EUR", supplier=SELLER,
        lines=views, amount_cents=amount, tax_rate=Decimal(20), tax_cents=round(amount / 5),
        platform=PLATFORM_ID,
        supplier_identity=LegalIdentity("Seller AG", "Rheinstrasse 12, 4051 Basel",
                                        "CHE-123.456.789", "CHE-123.456.789 MWST",
                                        "sam@seller.example"),
    )  # fmt: skip


def build_order(lines: int = 5) -> PurchaseOrderPdf:
    """A purchase order to one supplier for its lines of a deal."""
    views = tuple(
        PurchaseLineView(f"Industrial service package {i}", "day", Decimal(2), 50_000 + 731 * i,
                         Decimal(0), 2 * (50_000 + 731 * i), Decimal(20))
        for i in range(1, lines + 1)
    )  # fmt: skip
    net = sum(x.net_cents for x in views)
    return PurchaseOrderPdf(
        order_number="O-2026-00042", quote_number="Q-2026-00042", issued_on=date(2026, 3, 9),
        currency="EUR", buyer=SELLER, supplier=PLATFORM, client=CLIENT, lines=views,
        total_cents=net, tax=tax_summary([(x.net_cents, x.tax_rate) for x in views], net),
    )  # fmt: skip
