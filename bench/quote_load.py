"""Load: N whole quote lifecycles through the HTTP API, against a no-op baseline of the same shape.

Run: python bench/quote_load.py [--quotes N] [--concurrency C] [--timeout S]
     (defaults 100, 20, 120)

Starts its own in-memory Temporal dev server, a fresh SQLite database (DATABASE_URL if set), the
worker (bench/load_worker.py) and the API (uvicorn) as separate processes, in a temporary
directory and on free ports. Through the API it founds a cluster (founder, three suppliers, a
seller with a client), then runs N quotes, C at a time: create, four approvals (three suppliers
and the founder), the client's acceptance, the order, the payment and split of each commission
invoice. It then counts a finished quote's shape from its history (and its invoices') and runs
N no-op baseline workflows of that shape (bench/baseline.py), C at a time, on the same server
and worker; then N of the deal's inherent shape (the same messages, timers and children, one
no-op activity per phase: bench/load_shape.py `inherent`), the engine's floor for a deal. One
quote and one of each baseline run first, untimed, to warm the processes up; the warm-up
quote's documents, emails and SQL are recorded, and at the end redone in a tight loop in this
process with no engine and no HTTP (bench/work_floor.py): the deal's work floor.
Prints throughput, both ratios, CPU per deal by process, latencies, history sizes and the worker's peak memory; stops
everything it started, also on Ctrl-C. Exit code 1 when a quote fails or stalls.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import FrameType
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from temporalio.client import Client

from bench import sql_trace
from bench.baseline import Shape
from bench.load_quotes import REQUEST_SECONDS, BenchError, Timings, World, run_quote, seed
from bench.load_report import Figures, events_of, report
from bench.load_shape import (
    Counted,
    baseline_id,
    count_tree,
    inherent,
    run_baseline,
    task_failure,
)
from bench.load_stack import Stack, exit_now, run_on_stack
from bench.work_floor import collect, snapshot
from bench.work_floor import measure as measure_floor
from models.domain import quote_workflow_id
from workflows.connection import connect_temporal

T = TypeVar("T")


async def within(limit: float, what: str, work: Awaitable[T]) -> T:
    try:
        async with asyncio.timeout(limit):
            return await work
    except TimeoutError:
        raise BenchError(f"{what} did not finish within {limit:.0f} s") from None


async def in_parallel(
    n: int, concurrency: int, job: Callable[[int], Awaitable[None]], stack: Stack
) -> float:
    """Runs job(0) … job(n-1), `concurrency` at a time; the wall time in seconds."""
    jobs = iter(range(n))

    async def lane() -> None:
        for index in jobs:
            await job(index)

    async def watch() -> None:
        while True:  # a dead worker or API fails the run now, not at the timeout
            stack.check()
            await asyncio.sleep(1)

    start = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        lanes = [group.create_task(lane()) for _ in range(min(n, concurrency))]
        watchdog = group.create_task(watch())
        await asyncio.gather(*lanes)
        elapsed = time.perf_counter() - start
        watchdog.cancel()
    return elapsed


async def quote_phase(
    http: httpx.AsyncClient,
    client: Client,
    world: World,
    stack: Stack,
    figures: Figures,
    limit: float,
) -> list[str]:
    numbers: list[str] = []

    async def one(_: int) -> None:
        seen = {"quote": "", "at": "its creation"}
        try:
            async with asyncio.timeout(limit):
                numbers.append(await run_quote(http, world, figures.timings, seen))
        except TimeoutError:
            failure = seen["quote"] and await task_failure(client, quote_workflow_id(seen["quote"]))
            raise BenchError(
                f"quote {seen['quote'] or '(not created)'} did not reach split within "
                f"{limit:.0f} s; last seen: {seen['at']}"
                + (f"; its workflow task failed: {failure}" if failure else "")
            ) from None

    before = stack.cpu_seconds()
    figures.quote_seconds = await in_parallel(figures.quotes, figures.concurrency, one, stack)
    figures.quote_cpu = cpu_since(before, stack)
    return numbers


async def count_all(
    client: Client, numbers: list[str], concurrency: int
) -> list[tuple[Counted, list[Counted]]]:
    gate = asyncio.Semaphore(concurrency)

    async def one(number: str) -> tuple[Counted, list[Counted]]:
        async with gate:
            return await count_tree(client, quote_workflow_id(number))

    return list(await asyncio.gather(*(one(number) for number in numbers)))


def cpu_since(before: dict[str, float], stack: Stack) -> dict[str, float]:
    return {name: used - before[name] for name, used in stack.cpu_seconds().items()}


def record_sql(stack: Stack, on: bool) -> None:
    """Switches the worker's and the API's SQL trace on or off (bench/sql_trace.py)."""
    switch = Path(f"{stack.sql_trace}.on")
    if on:
        switch.touch()
    else:
        switch.unlink()


class RequestLog:
    """The requests the driver sends while `on` (the warm-up deal's, one at a time): each
    one's route and when it was sent and answered."""

    def __init__(self) -> None:
        self.on = False
        self.sent: list[tuple[str, float, float]] = []

    async def request(self, request: httpx.Request) -> None:
        request.extensions["sent_at"] = time.time()

    async def response(self, response: httpx.Response) -> None:
        if self.on:
            route = f"{response.request.method} {_route(response.request.url.path)}"
            self.sent.append((route, response.request.extensions["sent_at"], time.time()))

    def transactions_by_route(self, ends: list[float]) -> dict[str, list[int]]:
        """The API's transactions that ended while each request was open, by route."""
        by_route: dict[str, list[int]] = {}
        for route, start, end in self.sent:
            by_route.setdefault(route, []).append(sum(start <= at <= end for at in ends))
        return by_route


def _route(path: str) -> str:
    """/quotes/Q-2026-00001/decisions -> /quotes/{…}/decisions: a route, not one object's."""
    return "/".join("{…}" if any(c.isdigit() for c in part) else part for part in path.split("/"))


async def measure(stack: Stack, figures: Figures, limit: float) -> None:
    client = await connect_temporal(stack.settings)
    operator = stack.settings.OPERATOR_KEY
    assert operator is not None
    limits = httpx.Limits(max_connections=4 * figures.concurrency + 10)
    requests = RequestLog()
    async with httpx.AsyncClient(
        base_url=stack.api_url, timeout=REQUEST_SECONDS, limits=limits,
        event_hooks={"request": [requests.request], "response": [requests.response]},
    ) as http:  # fmt: skip
        world = await seed(http, operator)
        print("warming up: one quote (its documents, emails and SQL recorded)", flush=True)
        before = snapshot(stack.settings, stack.folder / "before-the-deal.db")
        record_sql(stack, True)
        requests.on = True
        warm_up = run_quote(http, world, Timings(), {})
        sample = await within(limit, "the warm-up quote", warm_up)
        requests.on = False
        await asyncio.sleep(1)  # the last receipt's email
        record_sql(stack, False)
        ends = sql_trace.transaction_ends(stack.sql_trace, stack.processes["api"].pid)
        figures.api_requests, figures.api_transactions = len(requests.sent), len(ends)
        figures.api_transactions_by_route = requests.transactions_by_route(ends)
        print(f"running {figures.quotes} quotes, {figures.concurrency} at a time", flush=True)
        numbers = await quote_phase(http, client, world, stack, figures, limit)
    figures.trees = await count_all(client, numbers, figures.concurrency)
    figures.sample = sorted(figures.trees, key=events_of)[len(figures.trees) // 2]
    await both_baselines(client, stack, figures, limit)
    figures.worker_rss_mb = stack.worker_peak_rss_mb()
    print("measuring the work floor of the warm-up deal", flush=True)
    work = collect(stack.settings, sample, sql_trace.records(stack.sql_trace), before)
    figures.work_kinds, figures.emails, figures.statements = (
        work.kinds,
        len(work.emails),
        len(work.sql),
    )
    figures.floor = await asyncio.to_thread(measure_floor, work, stack.settings)


async def baseline_phase(
    client: Client,
    stack: Stack,
    figures: Figures,
    limit: float,
    shape: Shape,
    label: str,
    latencies: list[float],
) -> tuple[float, dict[str, float], tuple[Counted, list[Counted]]]:
    """N baselines of `shape`, C at a time: wall seconds, CPU by process, the first's counts."""
    queue = stack.settings.TEMPORAL_TASK_QUEUE
    print(f"warming up: one {label}", flush=True)
    warm_up = run_baseline(client, queue, shape, baseline_id(), [])
    await within(limit, f"the warm-up {label}", warm_up)
    print(f"running {figures.quotes} {label}s, {figures.concurrency} at a time", flush=True)
    ids = [baseline_id() for _ in range(figures.quotes)]

    async def one(index: int) -> None:
        run = run_baseline(client, queue, shape, ids[index], latencies)
        await within(limit, f"{label} {ids[index]}", run)

    before = stack.cpu_seconds()
    seconds = await in_parallel(figures.quotes, figures.concurrency, one, stack)
    return seconds, cpu_since(before, stack), await count_tree(client, ids[0])


async def both_baselines(client: Client, stack: Stack, figures: Figures, limit: float) -> None:
    """The sample quote's counted shape, then the deal's inherent shape, on the same stack."""
    assert figures.sample is not None
    counted = figures.sample[0].shape
    figures.baseline_seconds, figures.baseline_cpu, figures.baseline = await baseline_phase(
        client, stack, figures, limit, counted, "baseline", figures.baseline_updates
    )
    figures.inherent_seconds, figures.inherent_cpu, figures.inherent = await baseline_phase(
        client, stack, figures, limit, inherent(counted), "inherent baseline", []
    )


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100, help="quotes in all (default 100)")
    parser.add_argument("--concurrency", type=int, default=20, help="at a time (default 20)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a quote may take")
    args = parser.parse_args()
    if args.quotes < 1 or args.concurrency < 1:
        parser.error("--quotes and --concurrency must be at least 1")
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in background
    signal.signal(signal.SIGTERM, _interrupt)
    figures = Figures(args.quotes, args.concurrency)
    with tempfile.TemporaryDirectory(prefix="arkanna-bench-") as folder:
        stack = Stack(Path(folder))
        return run_on_stack(
            stack,
            folder,
            lambda: measure(stack, figures, args.timeout),
            lambda: report(figures),
            expected=(BenchError,),
        )


if __name__ == "__main__":
    exit_now(main())
