"""The crash tests' shared setting: the API in-process and, as the only worker of a queue of
the test's own, `worker.py` as an OS process armed by a fault hook to SIGKILL itself at one
point of its work (once: the hook leaves a marker file)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO
from uuid import uuid4

import httpx
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from api.app import create_app
from settings import Settings
from tests.processes import ROOT, until_polled, worker_environment
from tests.temporal_fixtures import terminate_open
from tests.workflows.conftest import Live


def worker_process(
    settings: Settings, address: str, output: IO[bytes] | None = None, **env: str
) -> subprocess.Popen[bytes]:
    """`worker.py` as its own OS process on the test's store and queue, with `env` added (a
    fault hook's variable arms it); its output to `output`, else to the test's."""
    return subprocess.Popen(
        [sys.executable, "worker.py"], cwd=ROOT, env=worker_environment(settings, address, **env),
        stdout=output, stderr=subprocess.STDOUT if output else None,
    )  # fmt: skip


@asynccontextmanager
async def armed_worker(
    settings: Settings,
    db: sessionmaker[Session],
    client: Client,
    *,
    fault_env: str,
    marker: Path,
    log: Path,
    **extra: str,
) -> AsyncIterator[tuple[Live, subprocess.Popen[bytes]]]:
    """Yields the API (on `settings` with `extra`, a queue of its own) and the armed worker;
    the worker's output is kept in `log` and printed at the end (a failure shows it)."""
    queue = f"crash-{uuid4()}"
    configured = settings.model_copy(update={**extra, "TEMPORAL_TASK_QUEUE": queue})
    address = client.service_client.config.target_host
    with log.open("wb") as output:
        process = worker_process(configured, address, output, **{fault_env: str(marker)}, **extra)
        app = create_app(configured, client)
        try:
            await until_polled(client, queue, process)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
                yield Live(api, client, configured, db), process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
            print((await asyncio.to_thread(log.read_text, errors="replace"))[-4000:])
            await terminate_open(client, queue)
            app.state.engine.dispose()
