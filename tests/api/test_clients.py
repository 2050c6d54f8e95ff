"""A member's clients: its own to create and read; nobody else's, in or out of the cluster."""

from __future__ import annotations

import httpx
import pytest

from models.identity import IDENTITY_FIELDS
from tests.factories import OPERATOR, World, add_client, expect

NEW_CLIENT = {
    "company": "Initech",
    "contact_name": "Peter Gibbons",
    "email": "peter@initech.example",
}


async def test_a_member_creates_a_client_it_owns(api: httpx.AsyncClient, world: World) -> None:
    bob = world.members["bob"]
    created = expect(await api.post("/clients", json=NEW_CLIENT, headers=bob.headers), 201)
    no_identity = dict.fromkeys(IDENTITY_FIELDS)
    assert created == {"id": created["id"], **NEW_CLIENT, "owner_id": bob.id, **no_identity}
    assert expect(await api.get(f"/clients/{created['id']}", headers=bob.headers), 200) == created


async def test_clients_are_for_members_with_a_key(api: httpx.AsyncClient, world: World) -> None:
    refused = await api.post("/clients", json=NEW_CLIENT, headers=OPERATOR)
    assert refused.status_code == 403
    assert (await api.post("/clients", json=NEW_CLIENT)).status_code == 401
    assert (await api.get("/clients")).status_code == 401


async def test_a_member_lists_only_its_own_clients(
    api: httpx.AsyncClient, world: World, other: World
) -> None:
    alice, bob = world.members["alice"], world.members["bob"]
    await add_client(api, world, bob, "umbrella")
    await add_client(api, world, alice, "hooli")

    mine = expect(await api.get("/clients", headers=alice.headers), 200)
    assert [c["id"] for c in mine["items"]] == [world.clients["acme"], world.clients["hooli"]]
    assert mine["next"] is None
    assert expect(await api.get("/clients", headers=world.founder.headers), 200)["items"] == []
    everyone = expect(await api.get("/clients", headers=OPERATOR), 200)
    assert len(everyone["items"]) == 4


async def test_clients_are_listed_page_by_page(api: httpx.AsyncClient, world: World) -> None:
    alice = world.members["alice"]
    for label in ("b", "c", "d", "e"):
        await add_client(api, world, alice, label)
    first = expect(await api.get("/clients", params={"limit": 2}, headers=alice.headers), 200)
    params = {"limit": 2, "cursor": first["next"]}
    second = expect(await api.get("/clients", params=params, headers=alice.headers), 200)
    params["cursor"] = second["next"]
    third = expect(await api.get("/clients", params=params, headers=alice.headers), 200)
    ids = [c["id"] for page in (first, second, third) for c in page["items"]]
    assert ids == sorted(world.clients.values())
    assert third["next"] is None


async def test_another_members_or_clusters_client_answers_like_a_missing_one(
    api: httpx.AsyncClient, world: World, other: World
) -> None:
    missing = await api.get("/clients/999999", headers=world.members["bob"].headers)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "client not found"}
    for who, client_id in (
        (world.members["bob"], world.clients["acme"]),
        (world.founder, world.clients["acme"]),
        (world.members["alice"], other.clients["globex"]),
    ):
        hidden = await api.get(f"/clients/{client_id}", headers=who.headers)
        assert hidden.status_code == 404
        assert hidden.json() == missing.json()
    expect(await api.get(f"/clients/{other.clients['globex']}", headers=OPERATOR), 200)


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", "²", "١", "9" * 25, str(2**31)])
async def test_a_cursor_no_list_gave_out_is_refused(
    api: httpx.AsyncClient, world: World, cursor: str
) -> None:
    for path in ("/clients", "/offers", "/members", "/invitations"):
        params = {"cursor": cursor}
        refused = await api.get(path, params=params, headers=world.members["alice"].headers)
        assert refused.status_code == 400, refused.text
        assert refused.json()["detail"] == "cursor: not a cursor this list gave out"
