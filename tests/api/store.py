"""The whole store read back as plain rows, to prove that a refused request changed nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, String, Text, select, text
from sqlalchemy.orm import Session, sessionmaker

from store.tables import Base

Snapshot = dict[str, list[tuple[Any, ...]]]


# The abuse limits' counters: a refused request counts by design, and that is all it writes.
UNTRACKED = {"rate_limit_counters"}


def read_every_table(factory: sessionmaker[Session]) -> Snapshot:
    """Every row of every business table (all but the limits' counters), in primary-key order."""
    with factory() as session:
        return {
            table.name: [
                tuple(row)
                for row in session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
            if table.name not in UNTRACKED
        }


def every_text_value(factory: sessionmaker[Session]) -> list[str]:
    """Every value of every text column: where a secret kept in clear would show."""
    values: list[str] = []
    with factory() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            for row in session.execute(select(*columns)).all() if columns else ():
                values.extend(str(value) for value in row if value is not None)
    return values


def wipe(engine: Engine) -> None:
    """Empties every table but the number counters.

    They survive because the dev server outlives each test: a quote number (hence a workflow
    id) must never be handed out twice within one run.
    """
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name != "number_counters"]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(table.name for table in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
