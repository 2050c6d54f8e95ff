"""Fault tests: the API in-process on the shared dev server, workers as OS processes to kill."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from settings import Settings
from tests.processes import WorkerProcess, worker_environment
from tests.temporal_fixtures import terminate_open


@dataclass
class Rig:
    api: httpx.AsyncClient
    temporal: Client
    settings: Settings
    db: sessionmaker[Session]
    folder: Path
    workers: list[WorkerProcess] = field(default_factory=list)

    def worker(self, *command: str, **env: str) -> WorkerProcess:
        """A worker process on this test's queue (not started); `python worker.py` by default."""
        address = self.temporal.service_client.config.target_host
        process = WorkerProcess(
            worker_environment(self.settings, address, **env),
            self.folder / f"worker-{len(self.workers)}.log",
            command or ("worker.py",),
        )
        self.workers.append(process)
        return process


@pytest.fixture
async def rig(
    settings: Settings,
    db: sessionmaker[Session],
    temporal_env: WorkflowEnvironment,
    tmp_path: Path,
) -> AsyncIterator[Rig]:
    client = temporal_env.client
    queued = settings.model_copy(
        update={
            "TEMPORAL_TASK_QUEUE": f"faults-{uuid4()}",
            # Many clients answering through one address, retrying while the worker is down.
            "CLIENT_LINK_REQUESTS_PER_IP": 10_000,
        }
    )
    app = create_app(queued, client)
    rig: Rig | None = None
    try:
        # A crash inside the API answers 500, as over the network; the fault drivers count them.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            rig = Rig(api, client, queued, db, tmp_path)
            yield rig
    finally:
        for worker in rig.workers if rig else []:
            worker.stop()
        await terminate_open(client, queued.TEMPORAL_TASK_QUEUE)
        app.state.engine.dispose()
