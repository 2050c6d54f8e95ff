"""A Temporal dev server of a test's own, on a database file, that the test can SIGKILL and start
again on the same file and port; and a lock that stalls every write to the app's store."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

from settings import SEARCH_ATTRIBUTES
from tests.processes import free_port
from tests.temporal_fixtures import temporal_binary
from workflows.connection import DATA_CONVERTER


class DevServer:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.database = folder / "temporal.db"
        self.log = folder / "temporal.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [temporal_binary(), "server", "start-dev", "--headless", "--ip", "127.0.0.1"]
        command += ["--port", str(self.port), "--db-filename", str(self.database)]
        command += ["--log-level", "error"]
        for name, kind in SEARCH_ATTRIBUTES.items():
            command += ["--search-attribute", f"{name}={kind}"]
        # As the shared test server: search attributes registered at start are usable at once.
        command += ["--dynamic-config-value", "system.forceSearchAttributesCacheRefreshOnRead=true"]
        return command

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
            )

    async def connect(self, within: float = 120) -> Client:
        """A new client once the frontend answers and the namespace is there."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"the dev server exited:\n{self.log.read_text()[-3000:]}")
            try:
                client = await Client.connect(
                    self.address, namespace="default", data_converter=DATA_CONVERTER
                )
                await client.workflow_service.describe_namespace(
                    DescribeNamespaceRequest(namespace="default")
                )
                return client
            except RuntimeError:
                pass  # not listening yet
            except Exception as exc:  # listening, the namespace not loaded yet
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"the dev server never came up: {exc}") from exc
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the dev server never listened on {self.address}")
            await asyncio.sleep(0.5)

    def kill(self) -> int:
        assert self.process is not None and self.process.poll() is None
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@contextmanager
def writes_blocked(database_url: str) -> Iterator[None]:
    """Every write to the store waits while the block runs; reads go on.

    SQLite: a reserved lock held by another connection (writers wait up to their busy timeout,
    then fail and are retried). PostgreSQL: the quotes table locked against every write.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        connection = sqlite3.connect(url.database, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            conn.execute(text("LOCK TABLE quotes IN EXCLUSIVE MODE"))
            try:
                yield
            finally:
                transaction.rollback()
    finally:
        engine.dispose()
