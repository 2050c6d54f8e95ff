"""The FastAPI application: settings → database → Temporal client → routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from temporalio.client import Client

from api.body_limit import BodyLimit
from api.engine import TemporalConnection
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.limits import Limits
from api.logs import redact_link_tokens
from api.routes import (
    approval_link,
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
from settings import Settings, get_settings
from store.db import make_engine, make_session_factory


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
    app.state.limits = Limits.from_settings(settings)
    app.add_middleware(BodyLimit, max_bytes=settings.MAX_BODY_BYTES)
    install_error_handlers(app)
    redact_link_tokens()
    routers = (clusters, members, offers, clients, quotes, orders, commission, ledger)
    for module in (*routers, client_link, approval_link):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    # The token pages' stylesheet: a file, so a strict Content-Security-Policy can hold.
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.include_router(health.router)
    return app


def __getattr__(name: str) -> FastAPI:
    # `uvicorn api.app:app` builds the app on demand, so importing this module has no side effects.
    if name == "app":
        return create_app()
    raise AttributeError(name)
