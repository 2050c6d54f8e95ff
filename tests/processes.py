"""The product's worker as its own OS process, so a test can SIGKILL it and start it again."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from settings import Settings

ROOT = Path(__file__).resolve().parents[1]
# worker.py logs this line once its pollers run.
READY_LINE = "polling task queue"


def free_port() -> int:
    """A TCP port free on this machine now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def worker_environment(settings: Settings, address: str, **extra: str) -> dict[str, str]:
    """What worker.py reads: the test's store, outbox and queue, and the server's address."""
    return {
        **os.environ,
        "DATABASE_URL": settings.DATABASE_URL,
        "TEMPORAL_ADDRESS": address,
        "TEMPORAL_NAMESPACE": "default",
        "TEMPORAL_TASK_QUEUE": settings.TEMPORAL_TASK_QUEUE,
        "OUTBOX_DIR": str(settings.OUTBOX_DIR),
        "DOCUMENTS_DIR": str(settings.DOCUMENTS_DIR),
        "SECRET_KEY": settings.SECRET_KEY or "",
        "OPERATOR_KEY": settings.OPERATOR_KEY or "",
        "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class WorkerProcess:
    """One worker process at a time, its output appended to one log file across restarts."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        command: Sequence[str] = ("worker.py",),
    ) -> None:
        self.env = env
        self.log = log
        self.command = [sys.executable, *command]
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0
        self._log_offset = 0

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        self._log_offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1

    async def ready(self, within: float = 90) -> None:
        """Waits until this start's pollers run; fails if the process exits or never gets there."""
        assert self.process is not None
        deadline = asyncio.get_running_loop().time() + within
        while True:
            with self.log.open("rb") as output:
                output.seek(self._log_offset)
                if READY_LINE in output.read().decode(errors="replace"):
                    return
            if self.process.poll() is not None:
                raise AssertionError(
                    f"the worker exited ({self.process.returncode}):\n{self.tail()}"
                )
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the worker never polled within {within} s:\n{self.tail()}")
            await asyncio.sleep(0.1)

    def kill(self) -> int:
        """SIGKILL, no goodbye to the server; returns the exit status (-9 when it was alive)."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.kills += 1
        return self.process.wait(timeout=30)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait(timeout=30)

    def tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        text = self.log.read_text(errors="replace")
        return "".join(text.splitlines(keepends=True)[-lines:])


async def until_polled(
    client: Client, task_queue: str, process: subprocess.Popen[bytes], within: float = 90
) -> None:
    """Waits until a worker polls `task_queue` (the process has started up), or fails."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    deadline = asyncio.get_running_loop().time() + within
    while not (await client.workflow_service.describe_task_queue(request)).pollers:
        if process.poll() is not None:
            raise AssertionError(f"the worker exited ({process.returncode}) before polling")
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no worker polled {task_queue} within {within} s")
        await asyncio.sleep(0.2)


async def exit_code(process: subprocess.Popen[bytes], within: float = 60) -> int:
    """Waits for a process that is to end by itself (a fault hook kills it); its exit status."""
    deadline = asyncio.get_running_loop().time() + within
    while process.poll() is None:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the worker did not exit within {within} s")
        await asyncio.sleep(0.2)
    return process.returncode
