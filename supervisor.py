"""Keeps the embedded stack's processes running: the Temporal dev server, the worker, the API.

While the stack starts, a child that dies stops everything (its configuration is wrong and a
restart would fail the same way). Once the stack runs, a child that dies is started again after
a pause that doubles with each crash in a row (RESTART_DELAY_SECONDS up to RESTART_DELAY_CAP),
and is forgiven once it has run STABLE_SECONDS; the others keep serving meanwhile: the worker
and the API reconnect to a restarted Temporal server, which keeps its state in its db file.
Only Ctrl-C or SIGTERM stops them all, in reverse order of their start.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent
STOP_TIMEOUT_SECONDS = 20.0
POLL_SECONDS = 0.5
RESTART_DELAY_SECONDS = 1.0
RESTART_DELAY_CAP = 30.0
STABLE_SECONDS = 60.0


class Stopped(Exception):
    """Ctrl-C or SIGTERM."""


class ChildDied(Exception):
    def __init__(self, child: Child) -> None:
        super().__init__(child.name)
        self.child = child


@dataclass
class Child:
    name: str
    args: list[str]
    env: dict[str, str]
    log: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    # Crashes in a row, each after a run shorter than STABLE_SECONDS.
    crashes: int = 0
    restart_at: float | None = None

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()


def describe_exit(code: int) -> str:
    """`exit code 1`, or `exit code -9 (SIGKILL)` for a process ended by a signal."""
    if code < 0:
        try:
            return f"exit code {code} ({signal.Signals(-code).name})"
        except ValueError:
            pass
    return f"exit code {code}"


def restart_delay(crashes: int) -> float:
    """The pause before the restart that follows the `crashes`-th crash in a row."""
    return float(min(RESTART_DELAY_SECONDS * 2 ** max(crashes - 1, 0), RESTART_DELAY_CAP))


def tail(path: Path, lines: int = 15) -> str:
    return "".join(path.read_text(errors="replace").splitlines(keepends=True)[-lines:])


def say(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def _die_with_parent() -> None:
    # Children leave when this process is killed outright (kill -9), so no orphan keeps the ports.
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Supervisor:
    """Starts child processes, restarts those that crash, stops them all in reverse order."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self.stop_requested = threading.Event()

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.stop_requested.is_set():  # a second Ctrl-C: no more waiting
            for child in self.children:
                if child.exit_code is None and child.process is not None:
                    child.process.kill()
        self.stop_requested.set()

    def start(
        self, name: str, args: list[str], env: dict[str, str], log: Path | None = None
    ) -> Child:
        child = Child(name, args, env, log)
        self.children.append(child)
        self._spawn(child)
        say(f"{name} started (pid {child.process.pid if child.process else '?'})")
        return child

    def _spawn(self, child: Child) -> None:
        output = child.log.open("ab") if child.log else None
        try:
            child.process = subprocess.Popen(
                child.args,
                cwd=ROOT,
                env=child.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                process_group=0,  # the terminal's Ctrl-C reaches this process only; it stops them
                preexec_fn=_die_with_parent,
            )
        finally:
            if output:
                output.close()
        child.started_at = time.monotonic()
        child.restart_at = None

    def check(self) -> None:
        """While the stack starts: a stop request or any child's death ends the start."""
        if self.stop_requested.is_set():
            raise Stopped
        for child in self.children:
            if child.exit_code is not None:
                raise ChildDied(child)

    def sleep(self, seconds: float) -> None:
        self.stop_requested.wait(seconds)
        self.check()

    def supervise(self) -> None:
        """Once the stack runs: restarts crashed children until a stop is requested."""
        while not self.stop_requested.wait(POLL_SECONDS):
            for child in self.children:
                self._tend(child)
        raise Stopped

    def _tend(self, child: Child) -> None:
        code, now = child.exit_code, time.monotonic()
        if code is None:
            return
        if child.restart_at is None:
            ran = now - child.started_at
            child.crashes = 1 if ran >= STABLE_SECONDS else child.crashes + 1
            delay = restart_delay(child.crashes)
            child.restart_at = now + delay
            say(
                f"{child.name} exited unexpectedly ({describe_exit(code)}) after {ran:.0f} s; "
                f"restarting it in {delay:.0f} s (crash {child.crashes} in a row)"
            )
            if child.log is not None and child.log.exists():
                print(f"Last lines of {child.log}:\n{tail(child.log)}", flush=True)
        elif now >= child.restart_at:
            self._spawn(child)
            say(f"{child.name} restarted (pid {child.process.pid if child.process else '?'})")

    def stop_all(self) -> None:
        for child in reversed(self.children):
            process = child.process
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(STOP_TIMEOUT_SECONDS)
                except subprocess.TimeoutExpired:
                    say(f"{child.name} did not stop in {STOP_TIMEOUT_SECONDS:.0f} s: killing it")
                    process.kill()
                    process.wait()
            print(f"  {child.name} stopped", flush=True)
