"""The API as its own OS process, started as production starts it: `python -m api.serve`."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.factories import OPERATOR, OPERATOR_KEY
from tests.processes import ROOT, free_port


class Server:
    """One `python -m api.serve` process on the test database."""

    def __init__(self, database_url: str, log: Path, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": database_url,
            "OPERATOR_KEY": OPERATOR_KEY,
            "SECRET_KEY": "test-secret-key",
            **settings,
        }
        command = [sys.executable, "-m", "api.serve", "--port", str(self.port)]
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=output
            )

    def wait_ready(self, within: float = 30) -> None:
        deadline = time.monotonic() + within
        while True:
            try:
                if httpx.get(f"{self.url}/members", headers=OPERATOR, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the API did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)
