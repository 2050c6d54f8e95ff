"""The embedded stack's restart policy, on real child processes that crash."""

from __future__ import annotations

import sys
import time

import pytest

from supervisor import (
    RESTART_DELAY_CAP,
    STABLE_SECONDS,
    Child,
    Supervisor,
    describe_exit,
    restart_delay,
)

CRASH = [sys.executable, "-c", "import sys; sys.exit(3)"]


def test_the_pause_doubles_with_each_crash_in_a_row_up_to_its_cap() -> None:
    assert [restart_delay(n) for n in range(1, 6)] == [1, 2, 4, 8, 16]
    assert restart_delay(40) == RESTART_DELAY_CAP


def test_an_exit_names_its_code_and_its_signal() -> None:
    assert describe_exit(3) == "exit code 3"
    assert describe_exit(-9) == "exit code -9 (SIGKILL)"


def _crashed(supervisor: Supervisor, child: Child) -> None:
    """Waits for the child's exit, then lets the supervisor notice it."""
    assert child.process is not None
    child.process.wait(timeout=30)
    supervisor._tend(child)


def test_a_crashing_child_is_restarted_ever_later_and_forgiven_after_a_stable_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    supervisor = Supervisor()
    child = supervisor.start("crasher", CRASH, {})
    try:
        _crashed(supervisor, child)
        assert "crasher exited unexpectedly (exit code 3)" in capsys.readouterr().out
        assert child.crashes == 1 and child.restart_at is not None
        first = child.process
        child.restart_at = time.monotonic()  # its pause is over
        supervisor._tend(child)
        assert child.process is not first and "crasher restarted (pid" in capsys.readouterr().out

        _crashed(supervisor, child)
        assert child.crashes == 2
        assert child.restart_at == pytest.approx(time.monotonic() + restart_delay(2), abs=0.5)

        child.restart_at = time.monotonic()
        supervisor._tend(child)
        child.started_at -= STABLE_SECONDS  # as if this run had lasted
        _crashed(supervisor, child)
        assert child.crashes == 1
    finally:
        supervisor.stop_all()
