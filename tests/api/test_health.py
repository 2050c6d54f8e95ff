"""GET /healthz: open to anyone, 200 only when both the database and Temporal answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from temporalio.client import Client

from api.app import create_app
from settings import Settings


@asynccontextmanager
async def client_for(
    settings: Settings, temporal: Client | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, temporal)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        app.state.engine.dispose()


async def test_healthy_when_the_database_and_temporal_answer(
    settings: Settings, temporal_client: Client
) -> None:
    async with client_for(settings, temporal_client) as api:
        response = await api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "temporal": "ok"}


async def test_unavailable_when_temporal_does_not_answer(settings: Settings) -> None:
    unreachable = settings.model_copy(update={"TEMPORAL_ADDRESS": "127.0.0.1:9"})
    async with client_for(unreachable) as api:
        response = await api.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "temporal": "unavailable"}


async def test_unavailable_when_the_database_does_not_answer(
    settings: Settings, temporal_client: Client
) -> None:
    nowhere = "postgresql+psycopg2://nobody:nothing@127.0.0.1:9/nothing"
    broken = settings.model_copy(update={"DATABASE_URL": nowhere})
    async with client_for(broken, temporal_client) as api:
        response = await api.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "unavailable", "temporal": "ok"}
