"""Files written whole or not at all: a temporary file beside the target, synced, then renamed
over it, so a reader never sees half a document or an email.

Inside a worker's activity the write is shielded from the SDK's cancellation, which it raises
into a sync activity's thread at any instruction: cancelled mid-write, a file would be left open
and its temporary copy behind. `uncancelled` shields any other file-system step the same way (a
directory listing cancelled midway leaves its directory handle open).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from temporalio import activity


@contextlib.contextmanager
def uncancelled() -> Iterator[None]:
    """Defers the SDK's cancellation of the running activity, if any, to the block's end."""
    if activity.in_activity():
        with activity.shield_thread_cancel_exception():
            yield
    else:
        yield


def write_atomically(target: Path, data: bytes) -> None:
    """Writes `data` to `target` (mode 0644) atomically; rewriting replaces it."""
    with uncancelled():
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), 0o644)  # mkstemp's 0600 would hide it from other readers
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
