"""Times the quote PDF: a 100-line quote from 10 suppliers, rendered N times.

Run: python bench/pdf_render.py [N]   (default 50)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from documents.render import render_quote_pdf
from models.documents import (
    FounderComponentView,
    LineView,
    PartyView,
    QuotePdf,
    SupplierBlock,
    TaxSummary,
    tax_summary,
)


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
        seller=PartyView(
            "Sam Seller",
            "Seller AG",
            "sam@seller.example",
            "Rheinstrasse 12\n4051 Basel",
            "CHE-123.456.789",
            "CHE-123.456.789 MWST",
        ),
        client=PartyView(
            "Cleo Client",
            "Client SA",
            "cleo@client.example",
            "3 quai Kléber\n67000 Strasbourg",
            "RCS Strasbourg 123 456 789",
            None,
        ),
        tax=quote_tax(blocks),
        platform=PartyView(
            "Arkanna SAS",
            "Arkanna SAS",
            "billing@arkanna.example",
            "1 rue de Rivoli\n75001 Paris",
            "RCS Paris 900 000 001",
            "FR12900000001",
        ),
        note="Prices include installation where stated.",
        terms="Payment within 30 days of invoice.\nDelivery as agreed per supplier.",
        total_cents=sum(b.subtotal_cents for b in blocks),
        suppliers=tuple(blocks),
    )


def quote_tax(blocks: list[SupplierBlock]) -> TaxSummary:
    lines = [(x.net_cents, x.tax_rate) for b in blocks for x in b.lines]
    return tax_summary(lines, sum(n for n, _ in lines))


def pages(data: bytes) -> int:
    try:
        info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return data.count(b"/Type /Page\n")
    line = next(x for x in info.stdout.decode().splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    quote = build_quote()
    render_quote_pdf(quote)  # warm-up: fonts and styles load once per process
    timings = []
    for _ in range(n):
        start = time.perf_counter()
        data = render_quote_pdf(quote)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(n - 1, round(0.95 * n) - 1)]
    lines = sum(len(b.lines) for b in quote.suppliers)
    print(f"quote PDF: {lines} lines, {len(quote.suppliers)} suppliers, {pages(data)} pages, "
          f"{len(data) / 1024:.0f} KiB")  # fmt: skip
    print(f"N={n}  median {statistics.median(timings):.1f} ms  p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
