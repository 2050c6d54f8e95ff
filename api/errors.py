"""One place that turns refusals into HTTP answers: domain errors, payload errors, Temporal errors."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from models.errors import DomainError

log = logging.getLogger("arkanna.api")


def _location(loc: tuple[Any, ...]) -> str:
    # "body" / "query" prefixes say nothing to a person; indexes read as lines.0.quantity.
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _field(error: dict[str, Any]) -> str:
    # A JSON syntax error's location is a character offset, not a field: the body is at fault.
    if error.get("type") == "json_invalid":
        return "body"
    return _location(tuple(error.get("loc", ())))


def _message(error: dict[str, Any]) -> str:
    where = _field(error)
    msg = str(error.get("msg", "invalid"))
    if error.get("type") == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "")
        msg = f"not valid JSON ({reason})" if reason else "not valid JSON"
    msg = msg.removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        msg = "unknown field: not part of this request"
    elif error.get("type") == "missing":
        msg = "required field is missing"
    # Our validators already name the field; do not say it twice.
    leaf = where.rsplit(".", 1)[-1]
    if msg.startswith(f"{leaf}: "):
        msg = msg[len(leaf) + 2 :]
    return f"{where}: {msg}"


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(err), "message": _message(err)} for err in exc.errors()]
    detail = "; ".join(err["message"] for err in errors)
    return JSONResponse(status_code=422, content={"detail": detail, "errors": errors})


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    content: dict[str, Any] = {"detail": exc.message}
    if exc.field:
        content["field"] = exc.field
    return JSONResponse(status_code=exc.status_code, content=content, headers=exc.headers)


async def _database_unavailable(_: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return JSONResponse(
        status_code=503,
        content={"detail": "the database is unavailable; try again shortly"},
        headers={"Retry-After": "5"},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(PoolTimeout, _database_unavailable)
