"""Plain functions that build test data through the public API, as a user would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

OPERATOR_KEY = "op_test_operator_key"

OPERATOR = {"Authorization": f"Bearer {OPERATOR_KEY}"}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@dataclass
class Actor:
    id: int
    key: str
    name: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.key)


@dataclass
class World:
    """A cluster with its founder, members by invitation and validated offers."""

    cluster_id: int
    founder: Actor
    members: dict[str, Actor] = field(default_factory=dict)
    offers: dict[str, int] = field(default_factory=dict)
    clients: dict[str, int] = field(default_factory=dict)


def expect(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json()


async def found_cluster(
    api: httpx.AsyncClient, name: str = "Atlantic Build", settings: dict[str, Any] | None = None
) -> World:
    body: dict[str, Any] = {
        "name": name,
        "currency": "EUR",
        "founder": {
            "name": "Fay Founder",
            "company": "Founder SA",
            "email": "fay@founder.example.com",
        },
    }
    if settings is not None:
        body["settings"] = settings
    data = expect(await api.post("/clusters", json=body, headers=OPERATOR), 201)
    founder = Actor(data["founder"]["id"], data["founder"]["api_key"], "founder")
    return World(cluster_id=data["id"], founder=founder)


async def join(api: httpx.AsyncClient, world: World, inviter: Actor, name: str) -> Actor:
    email = f"{name}@members.example.com"
    invitation = expect(
        await api.post("/invitations", json={"email": email}, headers=inviter.headers), 201
    )
    body = {
        "invitation_code": invitation["code"],
        "name": name.title(),
        "company": f"{name.title()} Ltd",
        "email": email,
    }
    data = expect(await api.post("/members", json=body), 201)
    actor = Actor(data["id"], data["api_key"], name)
    world.members[name] = actor
    return actor


def offer_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Audit",
        "description": "A day of audit",
        "unit": "day",
        "unit_price": "1000.00",
        "segment": "B2B",
        "commission_rate": "10",
        "procurement": "direct",
        "max_discount": "20",
        "playbook": "Ask about last year's incidents.",
    }
    body.update(overrides)
    return body


async def add_offer(
    api: httpx.AsyncClient,
    world: World,
    owner: Actor,
    label: str,
    *,
    validate: bool = True,
    founder_offer: str | None = "founder",
    **overrides: Any,
) -> int:
    body = offer_body(name=label, **overrides)
    if owner.id != world.founder.id and founder_offer is not None:
        body.setdefault(
            "founder_component",
            {"offer_id": world.offers[founder_offer], "quantity": "1", "founder_price": "50.00"},
        )
    data = expect(await api.post("/offers", json=body, headers=owner.headers), 201)
    if validate:
        decision = {"decision": "validate"}
        path = f"/offers/{data['id']}/validation"
        expect(await api.post(path, json=decision, headers=world.founder.headers), 200)
    world.offers[label] = data["id"]
    return int(data["id"])


async def add_client(api: httpx.AsyncClient, world: World, owner: Actor, label: str) -> int:
    body = {
        "company": f"{label} GmbH",
        "contact_name": "Carl Client",
        "email": f"{label}@client.example.com",
    }
    data = expect(await api.post("/clients", json=body, headers=owner.headers), 201)
    world.clients[label] = data["id"]
    return int(data["id"])


async def catalogue_world(api: httpx.AsyncClient, settings: dict[str, Any] | None = None) -> World:
    """Founder with a founder offer; members alice (invited by founder), bob (by alice),
    carol (by bob), each with a validated offer; alice has a client."""
    world = await found_cluster(api, settings=settings)
    await add_offer(api, world, world.founder, "founder", unit_price="200.00")
    alice = await join(api, world, world.founder, "alice")
    bob = await join(api, world, alice, "bob")
    carol = await join(api, world, bob, "carol")
    await add_offer(api, world, alice, "alice-audit")
    await add_offer(api, world, bob, "bob-install", procurement="resell", commission_rate="5")
    await add_offer(api, world, carol, "carol-training", commission_rate="0")
    await add_client(api, world, alice, "acme")
    return world
