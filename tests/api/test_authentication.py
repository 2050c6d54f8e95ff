"""§2: every route but registration and health needs `Authorization: Bearer <key>`."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import World, auth

ROUTES = [
    ("POST", "/clusters"),
    ("GET", "/clusters/{cluster}"),
    ("PATCH", "/clusters/{cluster}/settings"),
    ("POST", "/invitations"),
    ("GET", "/invitations"),
    ("GET", "/members"),
    ("GET", "/members/me"),
    ("GET", "/members/{member}"),
    ("DELETE", "/members/{member}"),
    ("POST", "/offers"),
    ("GET", "/offers"),
    ("GET", "/offers/{offer}"),
    ("POST", "/offers/{offer}/validation"),
    ("POST", "/offers/{offer}/withdraw"),
    ("POST", "/clients"),
    ("GET", "/clients"),
    ("GET", "/clients/{client}"),
]
NOT_A_KEY = {
    "no header": {},
    "unknown key": auth("ak_not-a-key-anyone-was-given"),
    "empty key": {"Authorization": "Bearer "},
    "basic scheme": {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
    "key without scheme": {"Authorization": "ak_not-a-key"},
}


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
@pytest.mark.parametrize("headers", NOT_A_KEY.values(), ids=NOT_A_KEY.keys())
async def test_without_a_valid_key_every_route_answers_401(
    api: httpx.AsyncClient, world: World, method: str, path: str, headers: dict[str, str]
) -> None:
    url = path.format(
        cluster=world.cluster_id,
        member=world.members["bob"].id,
        offer=world.offers["bob-install"],
        client=world.clients["acme"],
    )
    response = await api.request(method, url, json={}, headers=headers)
    assert response.status_code == 401, response.text
    assert "API key" in response.json()["detail"]
