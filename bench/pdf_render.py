"""Times each kind of PDF, rendered N times in one process: a 100-line quote from 10 suppliers,
a commission invoice (Factur-X) and a purchase order (Order-X), each a PDF/A-3 written in one
pass with its XML checked against its XSD. Prints each kind's median and p95, in wall time and
in this process's CPU time (the CPU figure holds when the machine is shared).

Run: python bench/pdf_render.py [N]   (default 50)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.document_samples import build_invoice, build_order, build_quote
from documents.render import render_invoice_pdf, render_purchase_order_pdf, render_quote_pdf

GOALS = {"quote": 120.0, "invoice": 15.0}  # median, ms


def pages(data: bytes) -> int:
    try:
        info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return data.count(b"/Type /Page\n")
    line = next(x for x in info.stdout.decode().splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def timed(render: Callable[[], bytes], n: int) -> tuple[bytes, list[float], list[float]]:
    data = render()  # warm-up: fonts, styles, schemas and the ICC profile load once per process
    wall, cpu = [], []
    for _ in range(n):
        start, used = time.perf_counter(), time.process_time()
        data = render()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return data, sorted(wall), sorted(cpu)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    quote, invoice, order = build_quote(), build_invoice(), build_order()
    kinds: dict[str, tuple[str, Callable[[], bytes]]] = {
        "quote": (f"{sum(len(b.lines) for b in quote.suppliers)} lines, "
                  f"{len(quote.suppliers)} suppliers", lambda: render_quote_pdf(quote)),
        "invoice": (f"{len(invoice.lines)} lines, Factur-X", lambda: render_invoice_pdf(invoice)),
        "purchase order": (f"{len(order.lines)} lines, Order-X",
                           lambda: render_purchase_order_pdf(order)),
    }  # fmt: skip
    for kind, (what, render) in kinds.items():
        data, wall, cpu = timed(render, n)
        p95 = min(n - 1, round(0.95 * n) - 1)
        goal = f" (goal < {GOALS[kind]:.0f} ms)" if kind in GOALS else ""
        print(f"{kind} PDF: {what}, {pages(data)} page(s), {len(data) / 1024:.0f} KiB, N={n}: "
              f"median {statistics.median(wall):.1f} ms, p95 {wall[p95]:.1f} ms wall; "
              f"CPU median {statistics.median(cpu):.1f} ms{goal}")  # fmt: skip


if __name__ == "__main__":
    main()
