"""The FastAPI application: settings → database → Temporal client → routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api.body_limit import BodyLimit
from api.client_views import ANSWER_BODIES
from api.contract import (
    declare_refusals,
    document,
    install_method_answers,
    refuse_unknown_query,
)
from api.docs_pages import install_docs
from api.engine import Client, TemporalConnection
from api.errors import install_error_handlers
from api.limits import CounterStore, Limits
from api.logs import redact_link_tokens
from api.one_at_a_time import OneAtATime
from api.page_headers import PageHeaders
from api.routes import (
    approval_link,
    bank,
    client_link,
    clients,
    clusters,
    commission,
    corrections,
    credit_notes,
    health,
    ledger,
    members,
    offers,
    orders,
    payouts,
    quotes,
)
from api.status_events import StatusEvents
from settings import Settings, get_settings
from store.db import make_engine, make_session_factory

STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None, temporal: Client | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.DATABASE_URL)
    events = StatusEvents(settings.DATABASE_URL)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        events.close()
        engine.dispose()

    app = FastAPI(
        title="Arkanna quote-to-order",
        version="0.1.0",
        description="B2B clusters, quotes approved by every supplier, orders and split commissions.",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs from installed files, not a CDN
        redoc_url=None,
        # Operation ids are the routes' names: a generated client's functions read
        # `launch_quote`, not `launch_quote_quotes_post`.
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.status_events = events
    app.state.temporal = TemporalConnection(settings, temporal)
    app.state.limits = Limits.from_settings(settings, CounterStore(engine))
    app.state.one_at_a_time = OneAtATime()
    app.add_middleware(BodyLimit, max_bytes=settings.MAX_BODY_BYTES)
    app.add_middleware(PageHeaders)  # outermost: refusals of /q requests carry them too
    install_error_handlers(app)
    install_method_answers(app)
    redact_link_tokens()
    routers = (
        clusters, members, offers, clients, quotes, orders, commission, corrections,
        credit_notes, ledger, bank, payouts,
    )  # fmt: skip
    for module in (*routers, client_link, approval_link, health):
        declare_refusals(module.router)
        app.include_router(module.router, dependencies=[Depends(refuse_unknown_query)])
    install_docs(app)
    # The token pages' stylesheets: files, so a strict Content-Security-Policy can hold.
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    document(app, extra_models=ANSWER_BODIES)
    return app


async def _favicon() -> FileResponse:
    """The browser tab's icon, which every browser asks for on every page."""
    return FileResponse(STATIC_DIR / "favicon.ico", media_type="image/x-icon")


def __getattr__(name: str) -> FastAPI:
    # `uvicorn api.app:app` builds the app on demand, so importing this module has no side effects.
    if name == "app":
        return create_app()
    raise AttributeError(name)
