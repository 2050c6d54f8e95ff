"""The load benchmark's quotes, driven through the HTTP API as their people would drive them.

`seed` founds a cluster (founder, three suppliers, a seller with a client); `run_quote` takes one
quote from creation through approvals, the client's acceptance and the order to the split of
every commission invoice, timing the supplier decisions and the acceptance.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import httpx

# Long enough that no reminder, escalation, expiry or overdue flag fires during a run.
CLUSTER_SETTINGS = {
    "reminder_interval": 3600,
    "approval_timeout": 7200,
    "revision_timeout": 7200,
    "validity": 7200,
    "payment_terms": 86400,
}
SUPPLIERS = (("audit", "10", "direct"), ("install", "5", "resell"), ("training", "8", "direct"))
POLL_SECONDS = 0.1
WAIT_SECONDS = 20
RETRY_503_SECONDS = 10.0
REQUEST_SECONDS = 60.0


class BenchError(RuntimeError):
    """The product answered something a working quote-to-order flow never answers."""


@dataclass
class World:
    operator: str
    founder: tuple[int, str]
    suppliers: list[tuple[int, str]]
    seller: str
    client_id: int
    offers: list[int]


@dataclass
class Timings:
    decisions: list[float] = field(default_factory=list)
    accepts: list[float] = field(default_factory=list)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def call(
    http: httpx.AsyncClient, method: str, url: str, key: str | None, expected: int, **kw: Any
) -> Any:
    """One request; 503 (the engine or a fresh workflow not ready yet) is retried a while."""
    headers = {**(bearer(key) if key else {}), **kw.pop("headers", {})}
    deadline = time.monotonic() + RETRY_503_SECONDS
    while True:
        try:
            response = await http.request(method, url, headers=headers, **kw)
        except httpx.TimeoutException:
            raise BenchError(f"{method} {url}: no answer within {REQUEST_SECONDS:.0f} s") from None
        except httpx.HTTPError as exc:
            raise BenchError(f"{method} {url}: {type(exc).__name__} {exc}") from None
        if response.status_code != 503 or time.monotonic() > deadline:
            break
        await asyncio.sleep(POLL_SECONDS)
    if response.status_code != expected:
        raise BenchError(f"{method} {url} answered {response.status_code}: {response.text}")
    return response.json()


async def seed(http: httpx.AsyncClient, operator: str) -> World:
    founder_party = {
        "name": "Fay Founder",
        "company": "Founder SA",
        "email": "fay@founder.example.com",
    }
    body: dict[str, Any] = {"name": "Bench Cluster", "currency": "EUR", "founder": founder_party}
    body["settings"] = CLUSTER_SETTINGS
    cluster = await call(http, "POST", "/clusters", operator, 201, json=body)
    founder = (cluster["founder"]["id"], cluster["founder"]["api_key"])
    founder_offer = await _offer(http, founder[1], founder[1], "Onboarding", "10", "direct", None)
    suppliers, offers = [], []
    for label, rate, mode in SUPPLIERS:
        supplier = await _join(http, founder[1], label)
        suppliers.append(supplier)
        offers.append(await _offer(http, supplier[1], founder[1], label, rate, mode, founder_offer))
    _, seller = await _join(http, suppliers[0][1], "seller")
    client = {
        "company": "Client GmbH",
        "contact_name": "Cleo Client",
        "email": "cleo@client.example.com",
    }
    client_id = (await call(http, "POST", "/clients", seller, 201, json=client))["id"]
    return World(operator, founder, suppliers, seller, client_id, offers)


async def _join(http: httpx.AsyncClient, inviter: str, name: str) -> tuple[int, str]:
    email = f"{name}@members.example.com"
    invitation = await call(http, "POST", "/invitations", inviter, 201, json={"email": email})
    body = {
        "invitation_code": invitation["code"],
        "name": name.title(),
        "company": f"{name.title()} Ltd",
        "email": email,
    }
    member = await call(http, "POST", "/members", None, 201, json=body)
    return member["id"], member["api_key"]


async def _offer(
    http: httpx.AsyncClient,
    owner: str,
    founder: str,
    name: str,
    rate: str,
    mode: str,
    founder_offer: int | None,
) -> int:
    body: dict[str, Any] = {
        "name": name.title(),
        "description": f"{name.title()}, one day on site",
        "unit": "day",
        "unit_price": "1000.00",
        "segment": "B2B",
        "commission_rate": rate,
        "procurement": mode,
        "max_discount": "20",
        "playbook": "Start from the client's last project.",
    }
    if founder_offer is not None:
        body["founder_component"] = {
            "offer_id": founder_offer,
            "quantity": "1",
            "founder_price": "50.00",
        }
    offer = await call(http, "POST", "/offers", owner, 201, json=body)
    path = f"/offers/{offer['id']}/validation"
    await call(http, "POST", path, founder, 200, json={"decision": "validate"})
    return int(offer["id"])


async def timed(into: list[float], request: Awaitable[Any]) -> Any:
    start = time.perf_counter()
    answer = await request
    into.append((time.perf_counter() - start) * 1000)
    return answer


async def until(
    http: httpx.AsyncClient, path: str, key: str, status: str, seen: dict[str, str]
) -> Any:
    """Long reads of a view until it has the status (the server holds each answer until then,
    or until the object ends); `seen` keeps the last status seen for a timeout's message."""
    params = {"wait_for": status, "wait": WAIT_SECONDS}
    while True:
        view = await call(http, "GET", path, key, 200, params=params)
        seen["at"] = f"{view['number']} {view['status']}"
        if view["status"] == status:
            return view
        await asyncio.sleep(POLL_SECONDS)  # ended elsewhere: the run's timeout reports it


async def run_quote(
    http: httpx.AsyncClient, world: World, timings: Timings, seen: dict[str, str]
) -> str:
    """One quote from creation to the split of its invoices; returns its number."""
    lines = [{"offer_id": offer, "quantity": "2", "discount": "5"} for offer in world.offers]
    body = {"client_id": world.client_id, "lines": lines}
    quote = await call(http, "POST", "/quotes", world.seller, 201, json=body)
    number, revision = quote["number"], quote["revision"]
    seen["quote"] = seen["at"] = number
    keys = {world.founder[0]: world.founder[1], **dict(world.suppliers)}
    pending = [a["supplier_id"] for a in quote["approvals"] if a["status"] == "pending"]
    if sorted(pending) != sorted(keys):
        raise BenchError(f"{number}: approvers {pending}, expected the 3 suppliers and the founder")
    decision = {"revision": revision, "decision": "approve"}
    for supplier_id in pending:
        path = f"/quotes/{number}/decisions"
        request = call(http, "POST", path, keys[supplier_id], 200, json=decision)
        await timed(timings.decisions, request)
    sent = await until(http, f"/quotes/{number}", world.seller, "sent", seen)
    answer = {"signer_name": "Cleo Client"}
    accept = call(
        http,
        "POST",
        f"{sent['client_link']}/accept",
        None,
        200,
        json=answer,
        headers={"Accept": "application/json"},
    )
    await timed(timings.accepts, accept)
    order = (await until(http, f"/quotes/{number}", world.seller, "ordered", seen))["order_number"]
    params = {"order_number": order}
    page = await call(http, "GET", "/commission-invoices", world.operator, 200, params=params)
    if len(page["items"]) != len(SUPPLIERS):
        raise BenchError(f"order {order}: {len(page['items'])} invoices, expected {len(SUPPLIERS)}")
    for invoice in page["items"]:
        path = f"/commission-invoices/{invoice['number']}"
        payment = {"amount": invoice["amount"], "reference": f"BANK-{invoice['number']}"}
        await call(http, "POST", f"{path}/payments", world.operator, 200, json=payment)
        await until(http, path, world.operator, "split", seen)
    return str(number)
