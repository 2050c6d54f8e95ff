"""A private PostgreSQL cluster in a temporary folder, on a free port: `initdb`, start, stop and
remove. Tests that stop the database use it so they harm nobody else, and the test command runs
the suite's PostgreSQL half on one when no TEST_POSTGRES_URL is given.

It needs the PostgreSQL server binaries (Debian's `postgresql-15` package or any other version
under /usr/lib/postgresql). The server refuses to run as root, so as root it runs as the
`postgres` user that the package creates.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.processes import free_port

INSTALL_HINT = "apt-get install postgresql-15"


def server_binaries() -> Path | None:
    """The newest installed server's bin folder, or None."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


def unavailable_reason() -> str | None:
    if server_binaries() is None:
        return f"no PostgreSQL server binaries ({INSTALL_HINT})"
    if os.geteuid() == 0 and shutil.which("su") is None:
        return "running as root without `su` to act as the postgres user"
    return None


@dataclass
class PrivatePostgres:
    folder: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://arkanna@127.0.0.1:{self.port}/arkanna"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["su", "postgres", "-c", " ".join(command)]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def create(self) -> None:
        self._run("initdb", "-D", str(self.folder / "data"), "-A", "trust", "-U", "arkanna")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "arkanna", "arkanna")

    def start(self) -> None:
        options = f"'-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off'"
        data, log = self.folder / "data", self.folder / "log"
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")


@contextmanager
def private_cluster() -> Iterator[PrivatePostgres]:
    """A fresh cluster with an empty `arkanna` database, removed afterwards."""
    bin_folder = server_binaries()
    if bin_folder is None:
        raise RuntimeError(f"no PostgreSQL server binaries ({INSTALL_HINT})")
    folder = Path(tempfile.mkdtemp(prefix="arkanna-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    server = PrivatePostgres(folder, free_port(), bin_folder)
    try:
        server.create()
        yield server
    finally:
        with suppress(subprocess.CalledProcessError):  # already stopped
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
