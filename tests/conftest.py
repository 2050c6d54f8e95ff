"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL via DATABASE_URL),
emptied after each test, and the API in-process on top of it."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from settings import Settings
from store.db import make_engine, make_session_factory, upgrade_database
from tests.api.store import wipe
from tests.factories import OPERATOR_KEY

pytest_plugins = ["tests.temporal_fixtures"]


@pytest.fixture(autouse=True, scope="module")
def _old_objects_out_of_the_collectors_way() -> None:
    """The suite runs its workers in its own process, whose heap grows over the run; a full
    collection of it, landing inside a workflow activation, has made a workflow task last over
    six seconds (seen in the browser tests, near the end of a run without this). What earlier
    modules left is frozen, so a collection scans only what is new (the worker processes of
    production are small and do not need this)."""
    gc.freeze()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'arkanna.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    if database_url.startswith("postgresql"):
        reset = make_engine(database_url)
        with reset.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        reset.dispose()
    upgrade_database(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A session factory on an empty store; everything written is wiped afterwards."""
    yield make_session_factory(engine)
    wipe(engine)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        DATABASE_URL=database_url,
        OPERATOR_KEY=OPERATOR_KEY,
        SECRET_KEY="test-secret-key",
        OUTBOX_DIR=tmp_path / "outbox",
        DOCUMENTS_DIR=tmp_path / "documents",
        PUBLIC_BASE_URL="http://testserver",
    )


@pytest.fixture
async def api(settings: Settings, db: sessionmaker[Session]) -> AsyncIterator[httpx.AsyncClient]:
    """The real app in-process over ASGI; Temporal is connected only by tests that need it."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    app.state.status_events.close()
    app.state.engine.dispose()
