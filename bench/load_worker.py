"""The load benchmark's worker: the product's workflows and activities plus the no-op baseline.

Run by bench/quote_load.py as its own process (so its peak memory can be read), configured by
the same environment variables as worker.py. Prints "ready" once it polls its task queue.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.baseline import BaselineWorkflow, baseline_step
from models.settings import get_settings
from worker import build_worker, connect_temporal


async def main() -> None:
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


if __name__ == "__main__":
    code = 0
    try:
        asyncio.run(main())
    except Exception:
        traceback.print_exc()
        code = 1
    # As worker.py: skip interpreter finalization under the SDK's native threads.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
