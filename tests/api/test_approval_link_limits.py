"""Approval links are public like the client's: they count in the same budget per address."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from api.app import create_app
from settings import Settings

TOKEN = "not.a-link-anyone-was-sent"
ROUTES = [
    ("GET", f"/a/{TOKEN}"),
    ("POST", f"/a/{TOKEN}/approve"),
    ("POST", f"/a/{TOKEN}/reject"),
]


@pytest.fixture
async def api(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> AsyncIterator[httpx.AsyncClient]:
    configured = settings.model_copy(update={"CLIENT_LINK_REQUESTS_PER_IP": 3})
    app = create_app(configured, temporal_client)
    transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    app.state.engine.dispose()


async def test_approval_links_and_client_links_share_one_limit_per_address(
    api: httpx.AsyncClient,
) -> None:
    answers = [
        (await api.request(method, path, json={"comment": "x"})).status_code
        for method, path in ROUTES
    ]
    assert answers == [400, 400, 400]  # refused as altered: no workflow is asked
    for method, path in [*ROUTES, ("GET", f"/q/{TOKEN}")]:
        refused = await api.request(method, path, json={"comment": "x"})
        assert refused.status_code == 429, (method, path, refused.text)
        assert "requests from your address" in refused.json()["detail"]
