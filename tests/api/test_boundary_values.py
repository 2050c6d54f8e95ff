"""Every route's query and path parameters, read from the app's OpenAPI, meet the boundary values
of dates and numbers one at a time, sent by a caller who may reach the route: no answer is a 5xx.

The other parameters name seeded objects (a quote, an order, an invoice, a client link), so the
value under test is the only thing wrong with the request and the handler is reached.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from models.links import QuoteLink, sign_link
from settings import Settings
from store.db import transaction
from store.orders import mark_cancelled
from store.tables import CreditNote
from tests.camt_fixtures import Entry, Tx, document
from tests.factories import OPERATOR, Actor, World, catalogue_world, expect
from tests.ledger_seed import cancellation_steps, issue, seed_order
from tests.temporal_fixtures import running_worker, terminate_open
from tests.workflows.conftest import api_only

BOUNDARY_VALUES = ["0001-01-01", "9999-12-31", "0", "-1", str(2**63), "NaN", "1.5"]
PROBE_BODY_TEXT = "Boundary walk"


@dataclass
class Operation:
    method: str
    template: str
    parameters: list[dict[str, Any]]
    body: dict[str, Any] | None  # the request body's schema, when there is one


def operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for template, methods in document["paths"].items():
        for method, operation in methods.items():
            parameters = [
                p for p in operation.get("parameters", []) if p["in"] in {"query", "path"}
            ]
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            found.append(Operation(method.upper(), template, parameters, schema))
    return found


def example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A value the schema accepts, from its examples, default or type: enough to pass validation."""
    if "$ref" in schema:
        return example(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    if "anyOf" in schema:
        return example(next(s for s in schema["anyOf"] if s.get("type") != "null"), components)
    for key in ("examples", "enum"):
        if schema.get(key):
            return schema[key][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        required = schema.get("required", [])
        return {name: example(schema["properties"][name], components) for name in required}
    if kind == "array":
        return [example(schema["items"], components)] * schema.get("minItems", 0)
    return {"integer": 1, "number": 1, "boolean": False}.get(str(kind), PROBE_BODY_TEXT)


@dataclass
class Seeded:
    path_values: dict[str, str]  # by "<first path segment>:<parameter>" or "<parameter>"
    callers: list[dict[str, str]]  # who is tried, in order: the seller, the founder, an operator

    def value(self, template: str, name: str) -> str:
        segment = template.strip("/").split("/")[0]
        return self.path_values.get(f"{segment}:{name}") or self.path_values[name]


@pytest.fixture
async def walk(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> AsyncIterator[tuple[httpx.AsyncClient, Seeded]]:
    async with api_only(settings, db, temporal_client) as stack:
        queue = stack.settings.TEMPORAL_TASK_QUEUE
        async with running_worker(temporal_client, stack.settings, queue):
            yield stack.api, await seed(stack.api, db, stack.settings)
            await terminate_open(temporal_client, queue)


async def seed(api: httpx.AsyncClient, db: sessionmaker[Session], settings: Settings) -> Seeded:
    """A quote in its workflow, an order with its commission invoices, and a client link."""
    world = await catalogue_world(api)
    alice, bob = world.members["alice"], world.members["bob"]
    lines = [{"offer_id": world.offers["bob-install"], "quantity": "2"}]
    body = {"client_id": world.clients["acme"], "lines": lines}
    quote = expect(await api.post("/quotes", json=body, headers=alice.headers), 201)
    docs = settings.DOCUMENTS_DIR
    order = seed_order(db, docs, world, alice, world.clients["acme"], [("bob-install", "1")])
    [invoice] = issue(db, docs, order)
    credit_note = _credit_note(db, docs, world, alice)
    statement = document([Entry("7.00", acct_ref="WALK-1", txs=[Tx(payer="Nobody")])], "WALK")
    headers = {**OPERATOR, "Content-Type": "application/xml"}
    expect(await api.post("/bank-statements", content=statement, headers=headers), 200)
    suspense = expect(await api.get("/bank-statements/suspense", headers=OPERATOR), 200)
    expires = datetime.now(UTC) + timedelta(days=1)
    assert settings.SECRET_KEY is not None
    token = sign_link(settings.SECRET_KEY, QuoteLink(quote["number"], 1, expires))
    values = {
        "quotes:number": quote["number"],
        "orders:number": order,
        "commission-invoices:number": invoice.number,
        "credit-notes:number": credit_note,
        # No run is seeded: the walk reaches the handlers, which answer 404.
        "run_id": "1",
        "self-billed-invoices:number": "SB-1-2026-00001",
        "line_id": str(suspense["items"][-1]["id"]),
        "token": token,
        "cluster_id": str(world.cluster_id),
        "member_id": str(alice.id),
        "offer_id": str(world.offers["alice-audit"]),
        "client_id": str(world.clients["acme"]),
        "supplier_id": str(bob.id),
    }
    callers = [alice.headers, world.founder.headers, OPERATOR]
    return Seeded(values, callers)


def _credit_note(db: sessionmaker[Session], docs: Path, world: World, seller: Actor) -> str:
    """A cancelled order's invoice, cancelled by its credit note."""
    order = seed_order(db, docs, world, seller, world.clients["acme"], [("alice-audit", "1")])
    [invoice] = issue(db, docs, order)
    with transaction(db) as session:
        mark_cancelled(session, order, "client withdrew", datetime.now(UTC))
    cancellation_steps(db, docs).void_commission_invoice(invoice.number)
    with db() as session:
        return session.scalars(
            select(CreditNote.number).where(CreditNote.invoice_number == invoice.number)
        ).one()


def _path(op: Operation, seeded: Seeded, override: tuple[str, str] | None) -> str:
    path = op.template
    for parameter in op.parameters:
        if parameter["in"] == "path":
            name = parameter["name"]
            value = override[1] if override and override[0] == name else seeded.value(path, name)
            path = path.replace(f"{{{name}}}", value)
    return path


async def send(
    api: httpx.AsyncClient,
    op: Operation,
    seeded: Seeded,
    caller: dict[str, str],
    components: dict[str, Any],
    parameter: dict[str, Any] | None = None,
    value: str | None = None,
) -> httpx.Response:
    override = (parameter["name"], value or "") if parameter and parameter["in"] == "path" else None
    query = {parameter["name"]: value} if parameter and parameter["in"] == "query" else {}
    body = None if op.body is None else example(op.body, components)
    path = _path(op, seeded, override)
    return await api.request(op.method, path, params=query, json=body, headers=caller)


async def reaching_caller(
    api: httpx.AsyncClient, op: Operation, seeded: Seeded, components: dict[str, Any]
) -> dict[str, str]:
    """The first caller the route lets through. Only reads are sent as they are: a write is
    probed on a missing object, so the walk changes none of the seeded ones."""
    missing = next((p for p in op.parameters if p["in"] == "path"), None)
    for caller in seeded.callers:
        probe = await send(
            api, op, seeded, caller, components, *(() if op.method == "GET" else (missing, "1"))
        )
        assert probe.status_code < 500, f"{op.method} {op.template}: {probe.text}"
        if probe.status_code not in (401, 403):
            return caller
    raise AssertionError(f"no caller reaches {op.method} {op.template}")


async def test_boundary_values_of_every_parameter_never_get_a_5xx(
    walk: tuple[httpx.AsyncClient, Seeded],
) -> None:
    api, seeded = walk
    document = expect(await api.get("/openapi.json"), 200)
    components = document["components"]["schemas"]
    server_errors = []
    walked = 0
    for op in operations(document):
        caller = await reaching_caller(api, op, seeded, components)
        for parameter in op.parameters:
            for value in BOUNDARY_VALUES:
                response = await send(api, op, seeded, caller, components, parameter, value)
                walked += 1
                if response.status_code >= 500:
                    where = f"{op.method} {op.template} {parameter['name']}={value}"
                    server_errors.append(f"{where}: {response.status_code} {response.text}")
    assert server_errors == []
    assert walked >= 30 * len(BOUNDARY_VALUES)  # the OpenAPI was read, not an empty list


def test_the_probe_body_fills_every_required_field() -> None:
    components = {
        "Line": {
            "type": "object",
            "required": ["q"],
            "properties": {"q": {"type": "string", "examples": ["2.5"]}},
        }
    }
    schema = {
        "type": "object",
        "required": ["lines", "name", "n"],
        "properties": {
            "lines": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/components/schemas/Line"},
            },
            "name": {"type": "string"},
            "n": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            "note": {"type": "string"},
        },
    }
    assert example(schema, components) == {"lines": [{"q": "2.5"}], "name": PROBE_BODY_TEXT, "n": 1}
