"""Clusters (§9): creation by the operator, API keys, settings and who may read or change them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.tables import Member
from tests.api.store import every_text_value
from tests.factories import OPERATOR, World, auth, expect, found_cluster

FOUNDER = {"name": "Fay Founder", "company": "Founder SA", "email": "fay@founder.example.com"}
DEFAULT_SETTINGS = {
    "approval_timeout": "P3D",
    "reminder_interval": "P1D",
    "revision_timeout": "P14D",
    "validity": "P30D",
    "payment_terms": "P30D",
    "invitation_ttl": "P14D",
    "platform_fee_rate": "10",
    "founder_rate": "0",
    "affiliate_rates": ["10", "5"],
    "default_tax_rate": "20",
    "payout_hold_days": 30,
    "payout_threshold": "50.00",
}
# §12: the split rates, the default tax rate and the payout terms are the operator's alone.
OPERATOR_ONLY = {
    "platform_fee_rate",
    "founder_rate",
    "affiliate_rates",
    "default_tax_rate",
    "payout_hold_days",
    "payout_threshold",
}


async def test_operator_creates_a_cluster_whose_founder_key_works(api: httpx.AsyncClient) -> None:
    body = {"name": "Atlantic Build", "currency": "EUR", "founder": FOUNDER}
    created = expect(await api.post("/clusters", json=body, headers=OPERATOR), 201)

    assert created["name"] == "Atlantic Build"
    assert created["currency"] == "EUR"
    assert created["settings"] == DEFAULT_SETTINGS
    assert created["founder_id"] == created["founder"]["id"]
    me = expect(await api.get("/members/me", headers=auth(created["founder"]["api_key"])), 200)
    assert me["is_founder"] is True
    assert me["cluster_id"] == created["id"]
    assert me["invited_by"] is None


async def test_cluster_can_be_created_with_settings(api: httpx.AsyncClient) -> None:
    settings = {"invitation_ttl": 3600, "validity": "P7D", "affiliate_rates": ["20"]}
    world = await found_cluster(api, settings=settings)
    read = expect(
        await api.get(f"/clusters/{world.cluster_id}", headers=world.founder.headers), 200
    )
    assert read["settings"] == {
        **DEFAULT_SETTINGS,
        "invitation_ttl": "PT1H",
        "validity": "P7D",
        "affiliate_rates": ["20"],
    }


async def test_api_key_is_shown_once_and_never_read_back(
    api: httpx.AsyncClient, world: World
) -> None:
    key = world.founder.key
    for path in (f"/clusters/{world.cluster_id}", "/members/me", f"/members/{world.founder.id}"):
        response = await api.get(path, headers=world.founder.headers)
        assert response.status_code == 200
        assert key not in response.text
        assert "api_key" not in response.json()


async def test_api_keys_are_random_and_stored_only_as_hashes(
    api: httpx.AsyncClient, world: World, other: World, db: sessionmaker[Session]
) -> None:
    keys = [world.founder.key, other.founder.key, *(m.key for m in world.members.values())]
    assert len(set(keys)) == len(keys)
    assert all(len(key) >= 40 for key in keys)

    stored = every_text_value(db)
    for key in keys:
        assert not any(key in value for value in stored), "a clear API key is in the database"
    with db() as session:
        hashes = set(session.scalars(select(Member.api_key_hash)))
    assert {hashlib.sha256(key.encode()).hexdigest() for key in keys} <= hashes


async def test_creating_a_cluster_is_for_operators_only(
    api: httpx.AsyncClient, world: World
) -> None:
    body = {"name": "Rogue", "currency": "EUR", "founder": FOUNDER}
    refused = await api.post("/clusters", json=body, headers=world.founder.headers)
    assert refused.status_code == 403
    assert "operator" in refused.json()["detail"]
    assert (await api.post("/clusters", json=body)).status_code == 401
    assert (await api.post("/clusters", json=body, headers=auth("op_guess"))).status_code == 401


async def test_members_and_operators_read_the_cluster(api: httpx.AsyncClient, world: World) -> None:
    for headers in (world.members["carol"].headers, world.founder.headers, OPERATOR):
        read = expect(await api.get(f"/clusters/{world.cluster_id}", headers=headers), 200)
        assert read["id"] == world.cluster_id
        assert read["settings"] == DEFAULT_SETTINGS


async def test_another_clusters_cluster_answers_like_a_missing_one(
    api: httpx.AsyncClient, world: World, other: World
) -> None:
    headers = world.members["alice"].headers
    foreign = await api.get(f"/clusters/{other.cluster_id}", headers=headers)
    missing = await api.get("/clusters/999999", headers=headers)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()

    patch = {"invitation_ttl": 60}
    path = f"/clusters/{other.cluster_id}/settings"
    foreign = await api.patch(path, json=patch, headers=world.founder.headers)
    missing = await api.patch(
        "/clusters/999999/settings", json=patch, headers=world.founder.headers
    )
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


@pytest.mark.parametrize(
    ("update", "shown"),
    [
        ({"approval_timeout": "P2D"}, {"approval_timeout": "P2D"}),
        ({"approval_timeout": 7200}, {"approval_timeout": "PT2H"}),
        ({"reminder_interval": "PT30M"}, {"reminder_interval": "PT30M"}),
        ({"invitation_ttl": "3600"}, {"invitation_ttl": "PT1H"}),
        ({"payment_terms": "P3650D"}, {"payment_terms": "P3650D"}),
        ({"validity": "P400D"}, {"validity": "P400D"}),
        ({"validity": "P2W"}, {"validity": "P14D"}),
        ({"revision_timeout": 90061}, {"revision_timeout": "P1DT1H1M1S"}),
        ({"platform_fee_rate": "12.50"}, {"platform_fee_rate": "12.5"}),
        (
            {"founder_rate": "5", "affiliate_rates": []},
            {"founder_rate": "5", "affiliate_rates": []},
        ),
        (
            {"platform_fee_rate": "50", "founder_rate": "35", "affiliate_rates": ["10", "5"]},
            {"platform_fee_rate": "50", "founder_rate": "35"},
        ),
        ({"default_tax_rate": "5.50"}, {"default_tax_rate": "5.5"}),
        ({"default_tax_rate": "0"}, {"default_tax_rate": "0"}),
    ],
    ids=[
        "ISO 8601 days",
        "seconds",
        "ISO 8601 minutes",
        "seconds as text",
        "ten years, in days",
        "more than a year, in days",
        "weeks, in days",
        "days and a time",
        "rate spelled once",
        "no affiliates",
        "rates adding up to exactly 100",
        "tax rate spelled once",
        "no tax",
    ],
)
async def test_settings_change_as_iso_8601_or_seconds(
    api: httpx.AsyncClient, world: World, update: dict[str, Any], shown: dict[str, Any]
) -> None:
    """Durations by the founder; rates by the operator (§12)."""
    path = f"/clusters/{world.cluster_id}/settings"
    who = OPERATOR if OPERATOR_ONLY & set(update) else world.founder.headers
    changed = expect(await api.patch(path, json=update, headers=who), 200)
    assert changed["settings"] == {**DEFAULT_SETTINGS, **shown}
    read = expect(await api.get(f"/clusters/{world.cluster_id}", headers=OPERATOR), 200)
    assert read["settings"] == changed["settings"]


async def test_operator_changes_any_clusters_settings(
    api: httpx.AsyncClient, world: World, other: World
) -> None:
    for cluster_id in (world.cluster_id, other.cluster_id):
        path = f"/clusters/{cluster_id}/settings"
        changed = expect(await api.patch(path, json={"validity": "P10D"}, headers=OPERATOR), 200)
        assert changed["settings"]["validity"] == "P10D"


async def test_a_member_cannot_change_settings(api: httpx.AsyncClient, world: World) -> None:
    path = f"/clusters/{world.cluster_id}/settings"
    refused = await api.patch(
        path, json={"validity": "P1D"}, headers=world.members["alice"].headers
    )
    assert refused.status_code == 403
    assert "founder" in refused.json()["detail"]
    assert (await api.patch(path, json={"validity": "P1D"})).status_code == 401
    read = expect(await api.get(f"/clusters/{world.cluster_id}", headers=OPERATOR), 200)
    assert read["settings"]["validity"] == "P30D"


@pytest.mark.parametrize(
    ("update", "field"),
    [
        ({"platform_fee_rate": "60", "founder_rate": "30"}, "settings"),
        ({"affiliate_rates": ["50", "45"]}, "settings"),
        ({"founder_rate": "100.0001"}, "founder_rate"),
        ({"platform_fee_rate": "-1"}, "platform_fee_rate"),
        ({"affiliate_rates": ["10", "101"]}, "affiliate_rates.1"),
    ],
    ids=["platform and founder", "affiliates", "over 100", "negative", "one affiliate level"],
)
async def test_split_rates_above_100_percent_are_refused(
    api: httpx.AsyncClient, world: World, update: dict[str, Any], field: str
) -> None:
    path = f"/clusters/{world.cluster_id}/settings"
    refused = await api.patch(path, json=update, headers=OPERATOR)
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith(f"{field}:")
    read = expect(await api.get(f"/clusters/{world.cluster_id}", headers=OPERATOR), 200)
    assert read["settings"] == DEFAULT_SETTINGS


async def test_new_invitation_ttl_applies_to_new_codes(
    api: httpx.AsyncClient, world: World
) -> None:
    path = f"/clusters/{world.cluster_id}/settings"
    expect(
        await api.patch(path, json={"invitation_ttl": "PT2H"}, headers=world.founder.headers), 200
    )
    before = datetime.now(UTC)
    body = {"email": "dora@members.example.com"}
    invitation = expect(
        await api.post("/invitations", json=body, headers=world.founder.headers), 201
    )
    expires_at = datetime.fromisoformat(invitation["expires_at"])
    assert before + timedelta(hours=2) <= expires_at <= datetime.now(UTC) + timedelta(hours=2)


@pytest.mark.parametrize(
    "update",
    [
        {"platform_fee_rate": "5"},
        {"founder_rate": "1"},
        {"affiliate_rates": []},
        {"default_tax_rate": "10"},
        {"validity": "P3D", "default_tax_rate": "10"},
        {"payout_hold_days": 0},
        {"payout_threshold": "1.00"},
    ],
    ids=[
        "platform fee",
        "founder rate",
        "affiliates",
        "default tax",
        "with a duration",
        "payout hold",
        "payout threshold",
    ],
)
async def test_the_founder_may_not_change_the_rates(
    api: httpx.AsyncClient, world: World, update: dict[str, Any]
) -> None:
    """§12: a 403 naming the setting, and nothing written (not even the duration beside it)."""
    path = f"/clusters/{world.cluster_id}/settings"
    refused = await api.patch(path, json=update, headers=world.founder.headers)
    assert refused.status_code == 403
    (name,) = OPERATOR_ONLY & set(update)
    assert refused.json()["detail"].startswith(f"{name}: only an operator")
    read = expect(await api.get(f"/clusters/{world.cluster_id}", headers=OPERATOR), 200)
    assert read["settings"] == DEFAULT_SETTINGS
