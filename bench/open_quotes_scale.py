"""Scale: N quotes left open on their approvals, against the worker's resident memory.

Run: python bench/open_quotes_scale.py [--quotes N] [--concurrency C] [--reads R] [--timeout S]
     [--cache-size K]   (defaults 5000, 20, 10, N/2 but at least 300, as worker.py builds it)

Starts the load benchmark's stack (bench/load_stack.py: in-memory Temporal dev server, a fresh
database, the API) with bench/scale_worker.py as its worker, which prints the workflow cache size
in force. Founds the load benchmark's cluster (bench/load_quotes.py), then moves its reminder and
approval deadline days away, so no timer fires during the run. Creates N quotes through
POST /quotes, C at a time, each asking the three suppliers and the founder to approve: every quote
stays open, its workflow waiting on a timer and on updates. Every second it samples the worker's
VmRSS and how many workflows have opened their approvals, and waits (at most S seconds) until all
N have and the worker is idle. Then it reads the R oldest quotes back through GET /quotes/{number},
a workflow query, twice each: the first read replays the workflow's history when the worker has
evicted it (more quotes open than it caches), the second finds it cached. Prints the memory table,
growth per quote, peak, cache size and read latencies; stops everything it started, also on Ctrl-C. Exit code 1
when a quote fails or stalls.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from temporalio.client import Client

from bench.load_quotes import REQUEST_SECONDS, BenchError, World, call, seed, timed
from bench.load_stack import ROOT, Stack, StackError, exit_now, run_on_stack
from bench.quote_load import _interrupt, in_parallel, within
from bench.scale_report import Sample, ScaleFigures, report
from bench.scale_worker import CACHE_LINE, CACHE_SIZE_ENV
from workflows.connection import connect_temporal

# Days away: no reminder, escalation or expiry fires while the quotes stay open.
OPEN_SETTINGS = {"reminder_interval": "P7D", "approval_timeout": "P30D"}
SAMPLE_SECONDS = 1.0
IDLE_CPU_SHARE = 0.05  # of one core over a sample: the worker has nothing left to do


@dataclass
class ScaleStack(Stack):
    """The load benchmark's stack, with the scale worker in place of the load worker."""

    cache_size: int | None = None

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> None:
        if name == "worker":
            args = [sys.executable, str(ROOT / "bench" / "scale_worker.py")]
            if self.cache_size is not None:
                env = {**env, CACHE_SIZE_ENV: str(self.cache_size)}
        super()._spawn(name, args, env)

    def worker_rss_mb(self) -> float:
        """VmRSS of the worker process: its resident memory now."""
        self.check()
        status = Path(f"/proc/{self.processes['worker'].pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    def cache_line(self) -> tuple[str, int]:
        found = re.search(re.escape(CACHE_LINE) + r"(\d+).*", self.log("worker").read_text())
        if found is None:
            raise StackError("the worker did not print its workflow cache size")
        return found.group(0), int(found.group(1))


async def open_cluster(http: httpx.AsyncClient, world: World) -> None:
    """Moves the cluster's reminder and approval deadline days away (quotes freeze them)."""
    founder = world.founder[1]
    cluster_id = (await call(http, "GET", "/members/me", founder, 200))["cluster_id"]
    path = f"/clusters/{cluster_id}/settings"
    await call(http, "PATCH", path, founder, 200, json=OPEN_SETTINGS)


def open_query(world: World) -> str:
    # PendingSupplierIds: who the round asks, from the start (workflows/search.py) until the
    # quote leaves pending approval; per decision, the store's awaiting query says who still owes one.
    return (
        'WorkflowType = "QuoteWorkflow" AND ExecutionStatus = "Running" '
        f'AND PendingSupplierIds = "{world.founder[0]}"'
    )


async def create_quotes(
    http: httpx.AsyncClient, world: World, stack: Stack, figures: ScaleFigures, numbers: list[str]
) -> None:
    lines = [{"offer_id": offer, "quantity": "2", "discount": "5"} for offer in world.offers]
    body = {"client_id": world.client_id, "lines": lines}
    approvers = len(world.suppliers) + 1  # and the founder, for the founder's part of each line

    async def one(index: int) -> None:
        quote = await call(http, "POST", "/quotes", world.seller, 201, json=body)
        pending = [a for a in quote["approvals"] if a["status"] == "pending"]
        if len(pending) != approvers:
            raise BenchError(
                f"{quote['number']}: {len(pending)} approvals pending, not {approvers}"
            )
        numbers[index] = quote["number"]

    figures.create_seconds = await in_parallel(figures.quotes, figures.concurrency, one, stack)


async def sample_memory(
    client: Client, query: str, stack: Stack, figures: ScaleFigures, numbers: list[str]
) -> None:
    start = time.perf_counter()
    while True:
        opened = (await client.count_workflows(query)).count
        created = sum(1 for number in numbers if number)
        sample = Sample(time.perf_counter() - start, created, opened, stack.worker_rss_mb())
        figures.samples.append(sample)
        await asyncio.sleep(SAMPLE_SECONDS)


async def settle(stack: Stack, figures: ScaleFigures) -> None:
    """Returns once every quote is open and the worker spent a sample's time idle."""
    used = stack.cpu_seconds()["worker"]
    while True:
        await asyncio.sleep(SAMPLE_SECONDS)
        before, used = used, stack.cpu_seconds()["worker"]
        all_open = bool(figures.samples) and figures.samples[-1].open >= figures.quotes
        if all_open and used - before < IDLE_CPU_SHARE * SAMPLE_SECONDS:
            return


async def open_all(
    http: httpx.AsyncClient,
    client: Client,
    world: World,
    stack: ScaleStack,
    figures: ScaleFigures,
    limit: float,
) -> list[str]:
    numbers = [""] * figures.quotes
    async with asyncio.TaskGroup() as group:
        sampler = group.create_task(
            sample_memory(client, open_query(world), stack, figures, numbers)
        )
        await create_quotes(http, world, stack, figures, numbers)
        print(f"created {figures.quotes}; waiting for the worker to open them all", flush=True)
        try:
            await within(limit, "opening every quote", settle(stack, figures))
        except BenchError as exc:
            opened = figures.samples[-1].open if figures.samples else 0
            raise BenchError(f"{exc}: {opened} of {figures.quotes} open") from None
        sampler.cancel()
    last = figures.samples[-1]
    figures.settled = Sample(last.seconds, last.created, last.open, stack.worker_rss_mb())
    return numbers


async def read_back(
    http: httpx.AsyncClient, world: World, numbers: list[str], figures: ScaleFigures
) -> None:
    """Each quote twice in a row: the second read finds the workflow in the worker's cache."""
    for number in numbers:
        for into in (figures.first_reads, figures.repeat_reads):
            request = call(http, "GET", f"/quotes/{number}", world.seller, 200)
            view = await timed(into, request)
            pending = [a for a in view["approvals"] if a["status"] == "pending"]
            if view["status"] != "pending_approval" or len(pending) != len(world.suppliers) + 1:
                raise BenchError(f"{number} read back as {view['status']}, {len(pending)} pending")


async def measure(stack: ScaleStack, figures: ScaleFigures, reads: int, limit: float) -> None:
    figures.cache_line, figures.cache_size = stack.cache_line()
    print(figures.cache_line, flush=True)
    client = await connect_temporal(stack.settings)
    operator = stack.settings.OPERATOR_KEY
    assert operator is not None
    limits = httpx.Limits(max_connections=2 * figures.concurrency + 10)
    async with httpx.AsyncClient(
        base_url=stack.api_url, timeout=REQUEST_SECONDS, limits=limits
    ) as http:
        world = await seed(http, operator)
        await open_cluster(http, world)
        print(f"creating {figures.quotes} quotes, {figures.concurrency} at a time", flush=True)
        numbers = await open_all(http, client, world, stack, figures, limit)
        print(f"reading back the {min(reads, len(numbers))} oldest quotes, twice", flush=True)
        await read_back(http, world, numbers[:reads], figures)
    figures.peak_mb = stack.worker_peak_rss_mb()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quotes", type=int, default=5000, help="quotes in all (default 5000)")
    parser.add_argument("--concurrency", type=int, default=20, help="at a time (default 20)")
    parser.add_argument("--reads", type=int, default=10, help="quotes read back (default 10)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds the worker may take to open them all once created (default N/2, at least 300)",
    )
    parser.add_argument(
        "--cache-size",
        type=int,
        default=None,
        help="the worker's max_cached_workflows (default: as worker.py builds it)",
    )
    args = parser.parse_args()
    if args.quotes < 1 or args.concurrency < 1 or args.reads < 1:
        parser.error("--quotes, --concurrency and --reads must be at least 1")
    if args.cache_size is not None and args.cache_size < 2:
        parser.error("--cache-size must be at least 2")
    limit = args.timeout if args.timeout is not None else max(300.0, args.quotes / 2)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in background
    signal.signal(signal.SIGTERM, _interrupt)
    figures = ScaleFigures(args.quotes, args.concurrency)
    with tempfile.TemporaryDirectory(prefix="arkanna-scale-") as folder:
        stack = ScaleStack(Path(folder), cache_size=args.cache_size)
        return run_on_stack(
            stack,
            folder,
            lambda: measure(stack, figures, args.reads, limit),
            lambda: report(figures),
            expected=(BenchError,),
        )


if __name__ == "__main__":
    exit_now(main())
