"""Liveness of the API's two dependencies."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

router = APIRouter(tags=["health"])

Liveness = Literal["ok", "unavailable"]


class HealthRead(BaseModel):
    database: Liveness
    temporal: Liveness


_DOWN: dict[int | str, dict[str, Any]] = {
    503: {
        "model": HealthRead,
        "description": "The database or Temporal does not answer.",
        "content": {"application/json": {"example": {"database": "ok", "temporal": "unavailable"}}},
    }
}


def _database_ok(factory: sessionmaker[Session]) -> bool:
    try:
        with factory() as session:
            session.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@router.get("/healthz", response_model=HealthRead, responses=_DOWN)
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
    body = HealthRead(
        database="ok" if database else "unavailable",
        temporal="ok" if temporal else "unavailable",
    )
    return JSONResponse(body.model_dump(), status_code=200 if database and temporal else 503)
