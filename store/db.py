"""Engine, sessions, the one transaction boundary, migrations, gap-free numbering and the
once-only change every state transition goes through."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, Update, create_engine, event, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from models.domain import NumberKind, format_number
from store.tables import NumberCounter

ROOT = Path(__file__).resolve().parent.parent


# How long a SQLite writer waits for another's lock before it fails (and is retried).
BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """An engine tuned per backend: SQLite in WAL mode with a busy timeout, PostgreSQL pooled."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The only place that commits: all of the block's writes land, or none do."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.set_main_option("script_location", str(ROOT / "store" / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str) -> None:
    """Brings the schema to the newest migration (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def insert_once(session: Session, table: type, keys: Sequence[str], **values: Any) -> bool:
    """INSERT … ON CONFLICT (keys) DO NOTHING in the store's dialect: the row is written once,
    whoever comes second; True when this statement wrote it."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=list(keys))
    return bool(session.execute(statement).rowcount == 1)  # type: ignore[attr-defined]


def next_number(session: Session, kind: NumberKind, year: int) -> str:
    """Allocates the next business number; rolled back with its transaction, so no gaps."""
    insert_once(session, NumberCounter, ["kind", "year"], kind=kind.value, year=year, last=0)
    seq = session.execute(
        update(NumberCounter)
        .where(NumberCounter.kind == kind.value, NumberCounter.year == year)
        .values(last=NumberCounter.last + 1)
        .returning(NumberCounter.last)
    ).scalar_one()
    return format_number(kind, year, seq)


def claim(session: Session, change: Update, still_allowed: ColumnElement[bool]) -> bool:
    """Makes a once-only change in one statement, UPDATE … WHERE <still allowed>; True when
    this transaction made it, False when a concurrent one got there first.

    Never a read, then a write: SQLite ignores FOR UPDATE, so two requests that both read
    "pending" both write. A single UPDATE is atomic on both stores: SQLite runs one writer at
    a time, and PostgreSQL checks the condition again on the row once the other writer's
    transaction has ended. The row stays locked until this transaction ends.
    """
    statement = change.where(still_allowed).execution_options(synchronize_session=False)
    result = session.execute(statement)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
