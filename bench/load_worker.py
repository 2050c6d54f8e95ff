"""The load benchmark's worker: the product's workflows and activities plus the no-op baseline.

Run by bench/quote_load.py as its own process (so its peak memory can be read), configured by
the same environment variables as worker.py. Prints "ready" once it polls its task queue.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import traceback
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import sql_trace
from bench.baseline import BaselineWorkflow, baseline_step
from bench.load_stack import exit_now
from settings import get_settings
from worker import build_worker
from workflows.connection import connect_temporal


async def main() -> None:
    sql_trace.install_from_environment()
    settings = get_settings()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    client = await connect_temporal(settings)
    worker = build_worker(
        client, settings, extra_workflows=[BaselineWorkflow], extra_activities=[baseline_step]
    )
    async with worker:
        print(f"ready: task queue {worker.task_queue!r}", flush=True)
        await stop.wait()
    executor = worker.config().get("activity_executor")
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)


def run(entry: Callable[[], Coroutine[Any, Any, None]]) -> NoReturn:
    """Runs a worker's main; exits 1 on an error, skipping interpreter finalization under the
    SDK's native threads (as worker.py does)."""
    code = 0
    try:
        asyncio.run(entry())
    except Exception:
        traceback.print_exc()
        code = 1
    exit_now(code)


if __name__ == "__main__":
    run(main)
