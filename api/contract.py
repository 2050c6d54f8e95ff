"""What the OpenAPI promises beyond what FastAPI infers: every refusal a route can give, the
full `Allow` of a 405, and the request bodies that routes read by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exception_handlers import http_exception_handler
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute, APIRouter, iter_route_contexts
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.routing import compile_path, get_route_path

from api import deps, engine
from api.errors import REFUSALS
from models.errors import RuleViolation

# What a dependency can refuse with, wherever a route uses it.
_DEPENDENCY_REFUSALS: dict[Callable[..., Any], tuple[int, ...]] = {
    deps.get_session: (503,),
    # A key guessed too often from one address is refused before it is compared.
    deps.get_principal: (401, 429, 503),
    deps.get_member: (403,),
    deps.get_operator: (403,),
    deps.limit_invitations: (429,),
    deps.limit_client_links: (429,),
    engine.get_temporal: (503,),
}


# Path parameters that carry their own proof: altered is 400, expired 410, never 404.
_SIGNED = frozenset({"token"})


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def implied_refusals(route: APIRoute) -> set[int]:
    """The statuses a route's parameters and dependencies can answer with."""
    dependant = route.dependant
    statuses = {code for call in _calls(dependant) for code in _DEPENDENCY_REFUSALS.get(call, ())}
    if dependant.body_params or (route.openapi_extra and "requestBody" in route.openapi_extra):
        statuses |= {413, 422}
    # Any route refuses a query parameter it does not take (refuse_unknown_query).
    statuses.add(422)
    # An id or number in the path may name nothing; a signed link names its quote itself.
    if any(param.name not in _SIGNED for param in dependant.path_params):
        statuses.add(404)
    if any(param.name == "cursor" for param in dependant.query_params):
        statuses.add(400)
    return statuses


_KNOWN_QUERY: dict[int, frozenset[str]] = {}


def _query_names(dependant: Dependant) -> Iterator[str]:
    """The query parameters a route takes, its dependencies' included."""
    yield from (param.alias for param in dependant.query_params)
    for sub in dependant.dependencies:
        yield from _query_names(sub)


def _known_query(route: APIRoute) -> frozenset[str]:
    known = _KNOWN_QUERY.get(id(route))
    if known is None:
        known = _KNOWN_QUERY[id(route)] = frozenset(_query_names(route.dependant))
    return known


def refuse_unknown_query(request: Request) -> None:
    """A query parameter the route does not take is refused by name (a typo would otherwise
    be ignored silently, e.g. `?stauts=sent` listing every quote)."""
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        unknown = sorted(set(request.query_params) - _known_query(route))
        if unknown:
            raise RuleViolation("not a parameter of this route", field=", ".join(unknown))


def declare_refusals(router: APIRouter) -> None:
    """Adds each route's implied refusals to those it declares itself, before the router is
    included: a client generated from the OpenAPI then knows every status it may meet."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            for status in sorted(implied_refusals(route)):
                route.responses.setdefault(status, REFUSALS[status])


def allowed_methods(request: Request) -> list[str]:
    """Every method of every route on the request's path, not just the first route's."""
    path = get_route_path(request.scope)
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.router.routes):
        if route.path and route.methods and compile_path(route.path)[0].match(path):
            methods |= route.methods
    return sorted(methods)


# FastAPI's words for a body it cannot decode (not UTF-8): a malformed payload like any other.
_UNREADABLE_BODY = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.detail == _UNREADABLE_BODY:
        detail = "body: not valid JSON (not UTF-8 text)"
        errors = [{"field": "body", "message": detail}]
        return JSONResponse({"detail": detail, "field": "body", "errors": errors}, status_code=422)
    response = await http_exception_handler(request, exc)
    if exc.status_code == 405:
        # Routing answers for the first route on the path; the others' methods are allowed too.
        response.headers["Allow"] = ", ".join(allowed_methods(request))
    return response


def install_method_answers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)


def body_of(model: type[BaseModel], description: str) -> dict[str, Any]:
    """An `openapi_extra` declaring the JSON body of a route that reads its body itself (it also
    takes the page's form, which programs do not post); `document` lists the model."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    content = {"application/json": {"schema": schema}}
    return {"requestBody": {"required": True, "description": description, "content": content}}


def document(app: FastAPI, extra_models: tuple[type[BaseModel], ...]) -> None:
    """Builds the OpenAPI once, with the models of hand-read bodies among its components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in extra_models:
                components[model.__name__] = model.model_json_schema(
                    ref_template="#/components/schemas/{model}"
                )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


PAGE = {"text/html": {"schema": {"type": "string"}}}


def link_refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A link's refusals: a browser (Accept: text/html) is answered with the page, programs
    with the JSON error."""
    return {
        status: {**REFUSALS[status], "content": {**REFUSALS[status]["content"], **PAGE}}
        for status in statuses
    }


def pdf_answer(description: str) -> dict[int | str, dict[str, Any]]:
    """A success that is a PDF document, for `responses=`."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": description, "content": {"application/pdf": binary}}}


def links(status: int, parameter: str, field: str, *operations: str) -> dict[int | str, Any]:
    """OpenAPI links from a creation to the operations on what it created (read, then change):
    clients and fuzzers follow them from one call to the next."""
    target = {parameter: f"$response.body#/{field}"}
    found = {name: {"operationId": name, "parameters": target} for name in operations}
    return {status: {"links": found}}


M = TypeVar("M", bound=BaseModel)


async def read_json_or_form(request: Request, model: type[M], *, empty_is_json: bool = False) -> M:
    """A link page's body: JSON from programs, a form from the page, both validated by the same
    schema, a refusal naming the field. `empty_is_json`: an empty body reads as `{}`."""
    if "form" in request.headers.get("content-type", ""):
        form = await request.form()
        data: Any = {k: v for k, v in form.items() if v != ""}
    else:
        try:
            empty = empty_is_json and not await request.body()
            data = {} if empty else await request.json()
        except ValueError:
            raise RuleViolation("the body must be JSON", field="body") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise RuleViolation(first["msg"].removeprefix("Value error, "), field=where) from None
