"""The load benchmark's figures and the block of lines it prints."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from bench.load_quotes import Timings
from bench.load_shape import Counted
from bench.work_floor import Floor


@dataclass
class Figures:
    quotes: int
    concurrency: int
    quote_seconds: float = 0.0
    baseline_seconds: float = 0.0
    timings: Timings = field(default_factory=Timings)
    baseline_updates: list[float] = field(default_factory=list)
    trees: list[tuple[Counted, list[Counted]]] = field(default_factory=list)
    sample: tuple[Counted, list[Counted]] | None = None
    baseline: tuple[Counted, list[Counted]] | None = None
    worker_rss_mb: float = 0.0
    quote_cpu: dict[str, float] = field(default_factory=dict)
    baseline_cpu: dict[str, float] = field(default_factory=dict)
    # The deal's inherent shape: one activity per phase (bench/load_shape.py `inherent`).
    inherent: tuple[Counted, list[Counted]] | None = None
    inherent_seconds: float = 0.0
    inherent_cpu: dict[str, float] = field(default_factory=dict)
    # The deal's work floor (bench/work_floor.py), and what it was made of.
    floor: Floor | None = None
    work_kinds: dict[str, int] = field(default_factory=dict)
    emails: int = 0
    statements: int = 0
    # The warm-up deal's requests to the API and the SQL transactions the API ended for them.
    api_requests: int = 0
    api_transactions: int = 0
    api_transactions_by_route: dict[str, list[int]] = field(default_factory=dict)


def events_of(tree: tuple[Counted, list[Counted]]) -> int:
    return tree[0].events + sum(child.events for child in tree[1])


def percentiles(values: list[float]) -> str:
    if not values:
        return "no calls"
    cuts = (
        statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    )
    return f"p50 {cuts[49]:.0f}  p95 {cuts[94]:.0f}  p99 {cuts[98]:.0f}  ({len(values)} calls)"


def cpu_line(used: dict[str, float], n: int) -> str:
    parts = [f"{name} {seconds / n * 1000:.0f}" for name, seconds in used.items()]
    return f"{', '.join(parts)}  (all {sum(used.values()) / n * 1000:.0f})"


def shape_line(counted: Counted) -> str:
    return ", ".join(f"{name} {value}" for name, value in counted.totals().items())


def same_counts(tree: tuple[Counted, list[Counted]], other: tuple[Counted, list[Counted]]) -> bool:
    """Equal activities, updates, signals, timers and children, workflow by workflow."""
    counts = lambda t: [c.totals() | {"events": 0, "upserts": 0} for c in (t[0], *t[1])]  # noqa: E731
    return counts(tree) == counts(other)


def tree_totals(tree: tuple[Counted, list[Counted]]) -> str:
    """Activities, events and search-attribute upserts of a workflow and its children."""
    totals = [counted.totals() for counted in (tree[0], *tree[1])]
    names = ("activities", "timers", "upserts", "events")
    return ", ".join(f"{name} {sum(t[name] for t in totals)}" for name in names)


def activity_types(tree: tuple[Counted, list[Counted]]) -> str:
    """Each activity type of a workflow and its children, with how often it ran."""
    total = sum((counted.activity_types for counted in (tree[0], *tree[1])), Counter[str]())
    return ", ".join(f"{name} {n}" for name, n in sorted(total.items(), key=lambda i: -i[1]))


def inherent_lines(figures: Figures, quotes_rate: float) -> list[str]:
    assert figures.sample is not None and figures.inherent is not None
    n = figures.quotes
    rate = n / figures.inherent_seconds
    return [
        f"inherent baseline workflows/s: {rate:.2f}  ({n} in {figures.inherent_seconds:.1f} s)",
        f"ratio to the inherent baseline: {quotes_rate / rate:.2f}",
        f"per deal (quote and its invoices): {tree_totals(figures.sample)}",
        f"activities per deal by type: {activity_types(figures.sample)}",
        f"per inherent baseline (parent and children): {tree_totals(figures.inherent)}",
        f"cpu ms per inherent baseline workflow: {cpu_line(figures.inherent_cpu, n)}",
    ]


def floor_lines(figures: Figures) -> list[str]:
    """The deal's CPU against the whole floor: the engine's (the inherent baseline) and the
    work's (its documents, emails and SQL redone without engine or HTTP)."""
    floor, n = figures.floor, figures.quotes
    if floor is None:
        return []
    deal = sum(figures.quote_cpu.values()) / n * 1000
    engine = sum(figures.inherent_cpu.values()) / n * 1000
    kinds = ", ".join(f"{kind} {count}" for kind, count in figures.work_kinds.items())
    sql = (
        f"SQL {floor.sql:.0f} ms ({figures.statements} statements and commits replayed,"
        f" {floor.sql_failed} refused)"
        if floor.sql is not None
        else "SQL not replayed (SQLite runs only)"
    )
    return [
        f"CPU per deal: {deal:.0f} ms (engine floor {engine:.0f}, work floor {floor.total:.0f})",
        f"ratio to the whole floor: {(engine + floor.total) / deal:.2f}",
        f"work floor per deal: documents {floor.documents:.0f} ms ({kinds}), emails"
        f" {floor.emails:.0f} ms ({figures.emails} messages), {sql}",
    ]


def report(figures: Figures) -> None:
    assert figures.sample is not None and figures.baseline is not None
    n = figures.quotes
    quotes_rate, baseline_rate = n / figures.quote_seconds, n / figures.baseline_seconds
    quote, invoices = figures.sample
    parent, children = figures.baseline
    per_quote = [events_of(tree) for tree in figures.trees]
    lines = [
        f"quotes: {n}",
        f"concurrency: {figures.concurrency}",
        f"quotes/s: {quotes_rate:.2f}  ({n} quotes in {figures.quote_seconds:.1f} s)",
        f"baseline workflows/s: {baseline_rate:.2f}  ({n} in {figures.baseline_seconds:.1f} s)",
        f"ratio (quotes/s ÷ baseline workflows/s): {quotes_rate / baseline_rate:.2f}",
        f"decision latency ms: {percentiles(figures.timings.decisions)}",
        f"accept latency ms: {percentiles(figures.timings.accepts)}",
        f"baseline update latency ms: {percentiles(figures.baseline_updates)}"
        "  (all but each workflow's last update: the decisions' counterparts)",
        f"history events per quote: {events_of(figures.sample)}  (quote workflow {quote.events}"
        f" + {len(invoices)} invoice workflows {sum(c.events for c in invoices)};"
        f" over all quotes {min(per_quote)}–{max(per_quote)})",
        f"quote workflow shape: {shape_line(quote)}",
        f"invoice workflow shape: {'; '.join(sorted({shape_line(c) for c in invoices}))}",
        f"baseline events per workflow: {events_of(figures.baseline)}  (parent {parent.events}"
        f" + {len(children)} children {sum(c.events for c in children)})",
        f"baseline counts equal the quote's: "
        f"{'yes' if same_counts(figures.baseline, figures.sample) else 'NO'}",
        f"cpu ms per quote: {cpu_line(figures.quote_cpu, n)}",
        f"cpu ms per baseline workflow: {cpu_line(figures.baseline_cpu, n)}",
        *inherent_lines(figures, quotes_rate),
        *floor_lines(figures),
        f"API SQL transactions per request: "
        f"{figures.api_transactions / max(figures.api_requests, 1):.2f}  "
        f"({figures.api_transactions} over the warm-up deal's {figures.api_requests} requests;"
        " goal ≤ 2)",
        "  by route: "
        + ", ".join(
            f"{route} {max(counts)}" + (f" (×{len(counts)})" if len(counts) > 1 else "")
            for route, counts in sorted(figures.api_transactions_by_route.items())
        ),
        f"worker peak RSS: {figures.worker_rss_mb:.1f} MB",
    ]
    if not same_counts(figures.baseline, figures.sample):
        lines.append(f"baseline workflow shape: {shape_line(parent)}")
        lines.append(f"baseline child shapes: {'; '.join(shape_line(c) for c in children)}")
    print("\n" + "\n".join(lines))
