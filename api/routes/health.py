"""Liveness of the API's two dependencies."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

router = APIRouter(tags=["health"])


def _database_ok(factory: sessionmaker[Session]) -> bool:
    try:
        with factory() as session:
            session.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """200 when the database and Temporal both answer, 503 otherwise."""
    database = await asyncio.to_thread(_database_ok, request.app.state.session_factory)
    temporal = False
    try:
        client = await request.app.state.temporal.get()
        async with asyncio.timeout(3):
            temporal = await client.service_client.check_health()
    except Exception:
        temporal = False
    body = {
        "database": "ok" if database else "unavailable",
        "temporal": "ok" if temporal else "unavailable",
    }
    return JSONResponse(body, status_code=200 if database and temporal else 503)
