"""One place that turns refusals into HTTP answers: domain errors, payload errors, Temporal errors."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from models.errors import DomainError, Unavailable

log = logging.getLogger("arkanna.api")


class FieldErrorRead(BaseModel):
    field: str = Field(description="Where in the request, e.g. `lines.0.quantity`.")
    message: str = Field(description="The field and the rule it breaks.")


class ErrorRead(BaseModel):
    """Every refusal, whatever its status: `detail` names the field (if any) and the rule."""

    detail: str = Field(description="What is wrong, for a person: `<field>: <rule>`.")
    field: str | None = Field(None, description="The field at fault, when there is one.")
    errors: list[FieldErrorRead] | None = Field(
        None, description="A malformed payload (422): every field at fault."
    )


_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}


def _refusal(description: str, example: dict[str, Any], **extra: Any) -> dict[str, Any]:
    # Refusals are JSON even where the success is a page or a PDF: FastAPI would document the
    # model under the route's own media type, so the JSON one is named here, with one example.
    schema = {"$ref": "#/components/schemas/ErrorRead"}
    json = {"application/json": {"schema": schema, "example": example}}
    return {"model": ErrorRead, "description": description, "content": json, **extra}


def _says(detail: str, field: str | None = None) -> dict[str, Any]:
    return {"detail": f"{field}: {detail}" if field else detail, "field": field}


_INVALID = "lines.0.quantity: must be more than 0"


# Each status is one kind of refusal; `refusals` picks those a route can give.
REFUSALS: dict[int, dict[str, Any]] = {
    400: _refusal(
        "Malformed request, e.g. a foreign list cursor or an altered link.",
        _says("this link was altered or is incomplete; use the link from your email"),
    ),
    401: _refusal("Missing, unknown or revoked API key.", _says("missing or unknown API key")),
    403: _refusal(
        "The caller's role may not do this.", _says("only the quote's seller may revise it")
    ),
    404: _refusal("No such object, or not visible to the caller.", _says("no quote Q-2026-00042")),
    409: _refusal(
        "The object's current state refuses this.",
        _says("revision 2 is not the current revision (3)", "revision"),
    ),
    410: _refusal("The quote is closed, or its link has expired.", _says("this link has expired")),
    413: _refusal("The body is larger than accepted.", _says("larger than 1048576 bytes", "body")),
    422: _refusal(
        "Invalid payload, or a business rule refuses it.",
        {
            "detail": _INVALID,
            "field": "lines.0.quantity",
            "errors": [{"field": "lines.0.quantity", "message": _INVALID}],
        },
    ),
    429: _refusal(
        "Too many requests.", _says("too many requests; retry in 30 s"), headers=_RETRY_AFTER
    ),
    503: _refusal(
        "Database or workflow engine unavailable.",
        _says("the workflow engine is unavailable; retry shortly"),
        headers=_RETRY_AFTER,
    ),
}


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The refusals a route gives besides those its parameters and dependencies imply."""
    return {status: REFUSALS[status] for status in statuses}


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
        headers={"Retry-After": str(Unavailable.retry_after)},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(PoolTimeout, _database_unavailable)
