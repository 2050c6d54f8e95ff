"""The scale benchmark's figures and the block of lines it prints."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bench.load_report import percentiles


@dataclass
class Sample:
    seconds: float  # since the first POST /quotes
    created: int
    open: int  # quotes whose workflow has asked for approvals and waits
    rss_mb: float


@dataclass
class ScaleFigures:
    quotes: int
    concurrency: int
    cache_line: str = ""
    cache_size: int = 0
    create_seconds: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    settled: Sample | None = None
    peak_mb: float = 0.0
    first_reads: list[float] = field(default_factory=list)
    repeat_reads: list[float] = field(default_factory=list)


def first_created(samples: list[Sample], created: int) -> Sample:
    return next(s for s in samples if s.created >= created)


def first_open(samples: list[Sample], opened: int) -> Sample:
    return next(s for s in samples if s.open >= opened)


def growth(start: Sample, end: Sample, quotes: int) -> str:
    mb = end.rss_mb - start.rss_mb
    per_quote = f", {mb * 1024 / quotes:.1f} KB per quote" if quotes else ""
    return f"{mb:+.1f} MB over {quotes} quotes{per_quote}"


def table(figures: ScaleFigures, settled: Sample) -> list[str]:
    """A row where each tenth of the quotes is created, one where each tenth is open."""
    samples = [*figures.samples, settled]
    rows = {settled.seconds: settled}
    for tenth in range(1, 11):
        target = math.ceil(figures.quotes * tenth / 10)
        for row in (
            next((s for s in samples if s.created >= target), None),
            next((s for s in samples if s.open >= target), None),
        ):
            if row is not None:
                rows[row.seconds] = row
    lines = [f"{'s':>7}  {'created':>7}  {'open':>7}  {'worker RSS MB':>13}"]
    for row in sorted(rows.values(), key=lambda r: r.seconds):
        lines.append(f"{row.seconds:7.1f}  {row.created:7}  {row.open:7}  {row.rss_mb:13.1f}")
    return lines


def report(figures: ScaleFigures) -> None:
    settled, n, cache = figures.settled, figures.quotes, figures.cache_size
    assert settled is not None
    samples = [*figures.samples, settled]
    tenth = first_created(samples, math.ceil(n / 10))
    rate = n / figures.create_seconds if figures.create_seconds else 0.0
    print()
    print(f"=== {n} quotes left open on their approvals, created {figures.concurrency} at a time")
    print(f"worker {figures.cache_line}")
    print(f"created in {figures.create_seconds:.1f} s: {rate:.1f} quotes/s")
    print(f"all open and the worker idle after {settled.seconds:.1f} s")
    print()
    print("open: the workflow has asked for its approvals and waits on a timer and updates")
    print("\n".join(table(figures, settled)))
    print()
    at_tenth, at_end = f"10 % ({tenth.created} created)", f"100 % ({settled.open} open, idle)"
    width = max(len(at_tenth), len(at_end)) + 1
    print(f"worker RSS at {at_tenth + ':':<{width}} {tenth.rss_mb:7.1f} MB")
    print(f"worker RSS at {at_end + ':':<{width}} {settled.rss_mb:7.1f} MB")
    print(f"growth from 10 % to 100 %: {growth(tenth, settled, n - tenth.created)}")
    if n > cache:
        # On the open axis: a quote still being opened may be in the worker for its next step.
        full = first_open(samples, cache)
        past = growth(full, settled, n - full.open)
        print(f"growth past the cache (from {full.open} open to {n}): {past}")
    print(f"worker peak RSS (VmHWM): {figures.peak_mb:.1f} MB")
    if n <= cache:
        print(f"all {n} workflows fit in the worker's cache of {cache}: none was evicted")
    else:
        print(
            f"the worker keeps at most {cache} workflows in memory and evicts the least recently "
            "used;\npast that, an open quote costs history on the server, not worker memory"
        )
    print()
    print("read back, the oldest quotes, GET /quotes/{number} (a workflow query), ms:")
    first = "replays an evicted workflow" if n > cache else "workflow cached"
    print(f"  first read ({first + '):':<30} {percentiles(figures.first_reads)}")
    print(f"  read again ({'workflow cached):':<30} {percentiles(figures.repeat_reads)}")
