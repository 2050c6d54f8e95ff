"""The whole suite, as `make test` runs it: on SQLite, then on PostgreSQL.

PostgreSQL is the database named by TEST_POSTGRES_URL (which the tests may empty) or, without
it, a private cluster started for the run when PostgreSQL's server binaries are installed. Each
test runs once where the store makes no difference: the pure rules (tests/unit) and the layout
check on SQLite, the process-killing fault tests (tests/faults) on PostgreSQL. Without any
PostgreSQL the second half is skipped and the line says how to enable it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

from tests.private_postgres import INSTALL_HINT, private_cluster, unavailable_reason

STORE_FREE = ["--ignore=tests/unit", "--ignore=tests/test_layout.py"]


def pytest(args: Sequence[str], database_url: str | None) -> int:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "pytest", *args], env=env).returncode


def main(extra: Sequence[str]) -> int:
    given = os.environ.get("TEST_POSTGRES_URL")
    reason = None if given else unavailable_reason()
    if reason:
        print(f"== pytest on SQLite (the whole suite: {reason})", flush=True)
        code = pytest(extra, None)
        print(
            "== pytest on PostgreSQL SKIPPED: no PostgreSQL. Enable it with "
            f"`{INSTALL_HINT}` (a private cluster is then started for the run) "
            "or TEST_POSTGRES_URL=postgresql+psycopg2://… naming a database the tests may empty",
            flush=True,
        )
        return code
    print("== pytest on SQLite (tests/faults run on PostgreSQL)", flush=True)
    sqlite = pytest(["--ignore=tests/faults", *extra], None)
    if given:
        print("== pytest on PostgreSQL (TEST_POSTGRES_URL)", flush=True)
        return pytest([*STORE_FREE, *extra], given) or sqlite
    with private_cluster() as server:
        print(f"== pytest on PostgreSQL (a private cluster on port {server.port})", flush=True)
        postgres = pytest([*STORE_FREE, *extra], server.url)
    return postgres or sqlite


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
