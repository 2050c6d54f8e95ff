"""One three-supplier deal's cost in engine steps, and the decision latency one at a time.

Run: python bench/deal_counts.py [--quotes N]   (default 5)

Starts the same private stack as bench/quote_load.py (dev server, worker, API), seeds its
cluster, runs one warm-up deal, then N deals one after another through the HTTP API (create,
four decisions, acceptance, order, each invoice paid and split). Prints, for the median deal,
activities, history events and search-attribute upserts of the quote and of its commission
invoice children, activities by type, and the decision (all, each deal's first, the later
ones) and acceptance latencies (p50, p90, max).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.load_quotes import REQUEST_SECONDS, BenchError, Timings, run_quote, seed
from bench.load_report import activity_types, events_of
from bench.load_shape import Counted, count_tree
from bench.load_stack import Stack, exit_now, run_on_stack
from models.domain import quote_workflow_id
from workflows.connection import connect_temporal

Tree = tuple[Counted, list[Counted]]


async def measure(stack: Stack, quotes: int, trees: list[Tree], timings: Timings) -> None:
    client = await connect_temporal(stack.settings)
    operator = stack.settings.OPERATOR_KEY
    assert operator is not None
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=REQUEST_SECONDS) as http:
        world = await seed(http, operator)
        await run_quote(http, world, Timings(), {})  # warm-up, not counted
        for _ in range(quotes):
            number = await run_quote(http, world, timings, {})
            trees.append(await count_tree(client, quote_workflow_id(number)))


def line(name: str, counted: list[Counted]) -> str:
    totals = [c.totals() for c in counted]
    cells = ", ".join(f"{sum(t[k] for t in totals)} {k}" for k in ("activities", "events"))
    return f"{name}: {cells}, {sum(c.upserts for c in counted)} upserts"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(trees: list[Tree], timings: Timings) -> None:
    quote, invoices = sorted(trees, key=events_of)[len(trees) // 2]
    print(line("deal (quote + invoices)", [quote, *invoices]))
    print(line("  quote workflow", [quote]))
    print(line(f"  {len(invoices)} invoice workflows", invoices))
    print(f"activities per deal by type: {activity_types((quote, invoices))}")
    decisions = timings.decisions
    per_deal = len(decisions) // max(len(trees), 1)
    first = decisions[::per_deal] if per_deal else []
    later = [d for i, d in enumerate(decisions) if per_deal and i % per_deal]
    for name, values in (
        ("decision", decisions),
        ("first decision", first),
        ("later decision", later),
        ("acceptance", timings.accepts),
    ):
        if values:
            print(
                f"{name} latency one at a time: p50 {statistics.median(values):.0f} ms, "
                f"p90 {percentile(values, 0.9):.0f} ms, max {max(values):.0f} ms "
                f"({len(values)} requests)"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quotes", type=int, default=5, help="deals counted (default 5)")
    args = parser.parse_args()
    trees: list[Tree] = []
    timings = Timings()
    with tempfile.TemporaryDirectory(prefix="arkanna-deal-") as folder:
        stack = Stack(Path(folder))
        return run_on_stack(
            stack,
            folder,
            lambda: measure(stack, args.quotes, trees, timings),
            lambda: report(trees, timings),
            expected=(BenchError,),
        )


if __name__ == "__main__":
    exit_now(main())
