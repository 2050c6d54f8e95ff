"""Joining by invitation (R1) and removal by the founder (R2)."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from models.identity import STRUCTURED_FIELDS
from store.tables import Invitation
from tests.api.store import every_text_value
from tests.factories import OPERATOR, Actor, World, expect, join


async def invite(api: httpx.AsyncClient, inviter: Actor, email: str) -> str:
    body = {"email": email}
    return str(
        expect(await api.post("/invitations", json=body, headers=inviter.headers), 201)["code"]
    )


def registration(code: str, name: str = "dora") -> dict[str, str]:
    return {
        "invitation_code": code,
        "name": name.title(),
        "company": f"{name.title()} Ltd",
        "email": f"{name}@members.example.com",
    }


async def refused_registration(api: httpx.AsyncClient, code: str, name: str = "dora") -> str:
    response = await api.post("/members", json=registration(code, name))
    assert response.status_code == 422, response.text
    detail = str(response.json()["detail"])
    assert detail.startswith("invitation_code: ")
    return detail


async def test_r1_a_code_registers_a_member_affiliated_to_the_inviter(
    api: httpx.AsyncClient, world: World
) -> None:
    bob = world.members["bob"]
    code = await invite(api, bob, "dora@members.example.com")
    joined = expect(await api.post("/members", json=registration(code)), 201)

    assert joined["invited_by"] == bob.id
    assert joined["cluster_id"] == world.cluster_id
    me = expect(await api.get("/members/me", headers=Actor(0, joined["api_key"]).headers), 200)
    assert me == {
        "id": joined["id"],
        "cluster_id": world.cluster_id,
        "name": "Dora",
        "company": "Dora Ltd",
        "email": "dora@members.example.com",
        "invited_by": bob.id,
        "is_founder": False,
        "status": "active",
        "address": None,
        "registration_number": None,
        "vat_id": None,
        **dict.fromkeys(STRUCTURED_FIELDS),
        "missing_identity": ["address", "registration_number", "vat_id"],
        "bank_account": None,
        "bic": None,
        "bank_changed_at": None,
        "vat_regime": "french_vat",
    }


async def test_r1_an_invitation_expires_after_14_days_by_default(
    api: httpx.AsyncClient, world: World
) -> None:
    before = datetime.now(UTC)
    body = {"email": "dora@members.example.com"}
    created = expect(await api.post("/invitations", json=body, headers=world.founder.headers), 201)
    expires_at = datetime.fromisoformat(created["expires_at"])
    assert before + timedelta(days=14) <= expires_at <= datetime.now(UTC) + timedelta(days=14)


async def test_r1_codes_are_random_and_stored_only_as_hashes(
    api: httpx.AsyncClient, world: World, db: sessionmaker[Session]
) -> None:
    codes = [await invite(api, world.founder, f"guest{n}@x.example") for n in range(3)]
    assert len(set(codes)) == 3
    assert all(len(code) >= 40 for code in codes)
    stored = every_text_value(db)
    for code in codes:
        assert not any(code in value for value in stored), "a clear code is in the database"
    with db() as session:
        hashes = set(session.scalars(select(Invitation.code_hash)))
    assert {hashlib.sha256(code.encode()).hexdigest() for code in codes} <= hashes


async def test_r1_a_code_is_single_use(api: httpx.AsyncClient, world: World) -> None:
    code = await invite(api, world.founder, "dora@members.example.com")
    expect(await api.post("/members", json=registration(code)), 201)
    detail = await refused_registration(api, code, "erin")
    assert "already been used" in detail


async def test_r1_a_code_expires_with_the_clusters_invitation_ttl(
    api: httpx.AsyncClient, world: World
) -> None:
    path = f"/clusters/{world.cluster_id}/settings"
    expect(await api.patch(path, json={"invitation_ttl": 1}, headers=world.founder.headers), 200)
    code = await invite(api, world.founder, "dora@members.example.com")
    await asyncio.sleep(1.1)
    assert "expired" in await refused_registration(api, code)


async def test_r1_an_expired_code_is_refused(
    api: httpx.AsyncClient, world: World, db: sessionmaker[Session]
) -> None:
    code = await invite(api, world.members["alice"], "dora@members.example.com")
    with db.begin() as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        session.execute(update(Invitation).values(expires_at=past))
    assert "expired" in await refused_registration(api, code)
    listed = expect(await api.get("/invitations", headers=world.members["alice"].headers), 200)
    assert [item["used"] for item in listed["items"]] == [True, False]


async def test_r1_an_unknown_code_is_refused(api: httpx.AsyncClient, world: World) -> None:
    assert "unknown invitation code" in await refused_registration(api, "inv_not-a-real-code")


async def test_r1_a_removed_inviters_codes_die_with_it(
    api: httpx.AsyncClient, world: World
) -> None:
    carol = world.members["carol"]
    code = await invite(api, carol, "dora@members.example.com")
    expect(await api.delete(f"/members/{carol.id}", headers=world.founder.headers), 200)
    assert "no longer in the cluster" in await refused_registration(api, code)


async def test_r1_nobody_invites_themself(api: httpx.AsyncClient, world: World) -> None:
    body = {"email": "Alice@Members.Example.com"}
    refused = await api.post("/invitations", json=body, headers=world.members["alice"].headers)
    assert refused.status_code == 422
    assert refused.json()["detail"] == "email: you cannot invite yourself"


async def test_r1_a_member_of_the_cluster_cannot_be_invited_or_register_again(
    api: httpx.AsyncClient, world: World
) -> None:
    body = {"email": "bob@members.example.com"}
    refused = await api.post("/invitations", json=body, headers=world.founder.headers)
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("email: ")

    code = await invite(api, world.founder, "dora@members.example.com")
    again = await api.post("/members", json=registration(code, "bob"))
    assert again.status_code == 409


async def test_r1_invitations_are_issued_by_members_only(
    api: httpx.AsyncClient, world: World
) -> None:
    body = {"email": "dora@members.example.com"}
    assert (await api.post("/invitations", json=body, headers=OPERATOR)).status_code == 403
    assert (await api.post("/invitations", json=body)).status_code == 401


async def test_r1_the_inviter_graph_is_a_forest_whose_chains_end_at_the_founder(
    api: httpx.AsyncClient, world: World
) -> None:
    alice, bob, carol = (world.members[name] for name in ("alice", "bob", "carol"))
    inviters = {"dora": carol, "erin": alice, "finn": world.founder, "gail": bob}
    for name, inviter in inviters.items():
        await join(api, world, inviter, name)

    members = {m["id"]: m for m in await _all(api, "/members", world.founder.headers)}
    assert len(members) == 8
    for name, inviter in inviters.items():
        assert members[world.members[name].id]["invited_by"] == inviter.id
    for member_id in members:
        seen: list[int] = []
        while member_id is not None:
            assert member_id not in seen, f"invitation cycle through {seen}"
            seen.append(member_id)
            member_id = members[member_id]["invited_by"]
        assert seen[-1] == world.founder.id
        assert members[seen[-1]]["is_founder"]


async def _all(api: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = expect(await api.get(path, params=params, headers=headers), 200)
        items.extend(page["items"])
        cursor = page["next"]
        if cursor is None:
            return items


async def test_members_see_only_their_cluster(
    api: httpx.AsyncClient, world: World, other: World
) -> None:
    listed = await _all(api, "/members", world.members["carol"].headers)
    assert {m["cluster_id"] for m in listed} == {world.cluster_id}
    assert len(listed) == 4
    everyone = await _all(api, "/members", OPERATOR)
    assert len(everyone) == 6


async def test_another_clusters_member_answers_like_a_missing_one(
    api: httpx.AsyncClient, world: World, other: World
) -> None:
    olga = other.members["olga"]
    headers = world.founder.headers
    for method in ("GET", "DELETE"):
        foreign = await api.request(method, f"/members/{olga.id}", headers=headers)
        missing = await api.request(method, "/members/999999", headers=headers)
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json() == missing.json() == {"detail": "member not found"}
    expect(await api.get("/members/me", headers=olga.headers), 200)


async def test_r2_a_removed_members_key_stops_working(api: httpx.AsyncClient, world: World) -> None:
    alice = world.members["alice"]
    removed = expect(await api.delete(f"/members/{alice.id}", headers=world.founder.headers), 200)
    assert removed["status"] == "removed"

    for path in ("/members/me", "/offers", f"/clusters/{world.cluster_id}"):
        refused = await api.get(path, headers=alice.headers)
        assert refused.status_code == 401
        assert refused.json() == {"detail": "invalid API key"}
    shown = expect(await api.get(f"/members/{alice.id}", headers=world.founder.headers), 200)
    assert shown["status"] == "removed"


async def test_r2_affiliates_of_a_removed_member_stay_and_authenticate(
    api: httpx.AsyncClient, world: World
) -> None:
    alice, bob = world.members["alice"], world.members["bob"]
    expect(await api.delete(f"/members/{alice.id}", headers=world.founder.headers), 200)

    me = expect(await api.get("/members/me", headers=bob.headers), 200)
    assert me["status"] == "active"
    assert me["invited_by"] == alice.id
    expect(await api.get("/members/me", headers=world.members["carol"].headers), 200)
    await join(api, world, bob, "dora")


async def test_r2_the_founder_cannot_be_removed(api: httpx.AsyncClient, world: World) -> None:
    refused = await api.delete(f"/members/{world.founder.id}", headers=world.founder.headers)
    assert refused.status_code == 422
    assert refused.json()["detail"] == "member_id: the founder cannot be removed from its cluster"
    expect(await api.get("/members/me", headers=world.founder.headers), 200)


async def test_r2_only_the_founder_removes_members(api: httpx.AsyncClient, world: World) -> None:
    alice, bob = world.members["alice"], world.members["bob"]
    for headers in (alice.headers, OPERATOR):
        refused = await api.delete(f"/members/{bob.id}", headers=headers)
        assert refused.status_code == 403
        assert "founder" in refused.json()["detail"]
    assert (await api.delete(f"/members/{bob.id}")).status_code == 401
    expect(await api.get("/members/me", headers=bob.headers), 200)


async def test_r2_removing_twice_is_a_conflict(api: httpx.AsyncClient, world: World) -> None:
    carol = world.members["carol"]
    expect(await api.delete(f"/members/{carol.id}", headers=world.founder.headers), 200)
    again = await api.delete(f"/members/{carol.id}", headers=world.founder.headers)
    assert again.status_code == 409


async def test_r2_a_removed_address_can_be_invited_back(
    api: httpx.AsyncClient, world: World
) -> None:
    carol = world.members["carol"]
    expect(await api.delete(f"/members/{carol.id}", headers=world.founder.headers), 200)
    code = await invite(api, world.founder, "carol@members.example.com")
    back = expect(await api.post("/members", json=registration(code, "carol")), 201)
    assert back["id"] != carol.id
    assert back["invited_by"] == world.founder.id
