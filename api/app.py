"""The FastAPI application: settings → database → Temporal client → routes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from temporalio.client import Client

from api.body_limit import BodyLimit
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.limits import CounterStore, Limits
from api.logs import redact_link_tokens
from api.page_headers import PageHeaders
from api.routes import (
    client_link,
    clients,
    clusters,
    commission,
    health,
    ledger,
    members,
    offers,
    orders,
    quotes,
)
from models.db import make_engine, make_session_factory
from models.errors import Unavailable
from models.settings import Settings, get_settings

STATIC_DIR = Path(__file__).resolve().parent / "static"


class TemporalConnection:
    """One Temporal client for the process, connected on first use and shared by every route."""

    def __init__(self, settings: Settings, client: Client | None = None) -> None:
        self._settings = settings
        self._client = client
        self._lock = asyncio.Lock()

    async def get(self) -> Client:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    from worker import connect_temporal

                    try:
                        self._client = await connect_temporal(self._settings)
                    except Exception as exc:
                        raise Unavailable("the workflow engine is unavailable") from exc
        return self._client


def create_app(settings: Settings | None = None, temporal: Client | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.DATABASE_URL)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="Arkanna quote-to-order",
        version="0.1.0",
        description="B2B clusters, quotes approved by every supplier, orders and split commissions.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.temporal = TemporalConnection(settings, temporal)
    app.state.limits = Limits.from_settings(settings, CounterStore(engine))
    app.add_middleware(BodyLimit, max_bytes=settings.MAX_BODY_BYTES)
    app.add_middleware(PageHeaders)  # outermost: refusals of /q requests carry them too
    install_error_handlers(app)
    redact_link_tokens()
    routers = (clusters, members, offers, clients, quotes, orders, commission, ledger)
    for module in (*routers, client_link):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    app.include_router(health.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def __getattr__(name: str) -> FastAPI:
    # `uvicorn api.app:app` builds the app on demand, so importing this module has no side effects.
    if name == "app":
        return create_app()
    raise AttributeError(name)
