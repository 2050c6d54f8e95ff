"""The SQL one deal sends, recorded by the worker and the API processes of a load run, and
replayed by the work floor (bench/work_floor.py).

With ARKANNA_SQL_TRACE=<file> in its environment, a process appends to <file>.<pid> every
statement its engines execute (with its parameters) and every commit and rollback, but only
while <file>.on exists: the benchmark creates that file for the warm-up deal alone, which runs
by itself.
"""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

VARIABLE = "ARKANNA_SQL_TRACE"
Record = tuple[float, str, Any, bool]  # time, statement (or COMMIT/ROLLBACK), parameters, many


def install_from_environment() -> None:
    base = os.environ.get(VARIABLE)
    if not base:
        return
    switch, out = Path(f"{base}.on"), Path(f"{base}.{os.getpid()}")

    def write(record: Record) -> None:
        if switch.exists():
            with out.open("ab") as file:
                pickle.dump(record, file)

    def executed(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        write((time.time(), statement, params, many))

    event.listen(Engine, "before_cursor_execute", executed)
    event.listen(Engine, "commit", lambda _c: write((time.time(), "COMMIT", None, False)))
    event.listen(Engine, "rollback", lambda _c: write((time.time(), "ROLLBACK", None, False)))


def records(base: Path) -> list[Record]:
    """Every process's records, in the order they were written."""
    found: list[Record] = []
    for path in base.parent.glob(f"{base.name}.[0-9]*"):
        with path.open("rb") as file:
            while True:
                try:
                    found.append(pickle.load(file))
                except EOFError:
                    break
    return sorted(found, key=lambda record: record[0])


def transaction_ends(base: Path, pid: int) -> list[float]:
    """When the process `pid` ended each transaction (a commit or a rollback) while recording."""
    path = Path(f"{base}.{pid}")
    ends: list[float] = []
    if path.exists():
        with path.open("rb") as file:
            while True:
                try:
                    at, statement, _, _ = pickle.load(file)
                except EOFError:
                    break
                if statement in ("COMMIT", "ROLLBACK"):
                    ends.append(at)
    return ends
