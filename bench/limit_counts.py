"""Cost of one abuse-limit count: the UPSERT every client-link request, failed authentication
and invitation makes in its own transaction.

Run: python bench/limit_counts.py [DATABASE_URL] [--counts N]   (default: a fresh SQLite file,
     2000 counts over 200 keys). Migrates the database named, counts N events under a limit
     too high to refuse, and prints the mean milliseconds per count.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from api.limits import CounterStore, Window
from store.db import make_engine, upgrade_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("url", nargs="?", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--counts", type=int, default=2000)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/limits.db"
    upgrade_database(url)
    engine = make_engine(url)
    window = Window("bench", 10**9, 60, CounterStore(engine))
    for _ in range(50):
        window.hit("warm-up")
    started = time.perf_counter()
    for n in range(args.counts):
        window.hit(f"10.0.{n % 200}.1")
    per_count = (time.perf_counter() - started) / args.counts * 1000
    print(f"{engine.dialect.name}: {per_count:.2f} ms per count ({args.counts} counts)")
    engine.dispose()


if __name__ == "__main__":
    main()
