"""The catalogue: what an offer is (R3), B2B only (R4), the founder component (R5), and the
founder's validation, visibility and withdrawal (R6)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import OPERATOR, Actor, World, add_offer, expect, offer_body


def component(offer_id: int, **overrides: Any) -> dict[str, Any]:
    return {"offer_id": offer_id, "quantity": "1", "founder_price": "50.00", **overrides}


async def register(api: httpx.AsyncClient, owner: Actor, **overrides: Any) -> httpx.Response:
    return await api.post("/offers", json=offer_body(**overrides), headers=owner.headers)


async def decide(
    api: httpx.AsyncClient, who: Actor, offer_id: int, decision: str, reason: str | None = None
) -> httpx.Response:
    body = {"decision": decision} if reason is None else {"decision": decision, "reason": reason}
    return await api.post(f"/offers/{offer_id}/validation", json=body, headers=who.headers)


async def listed_ids(api: httpx.AsyncClient, who: dict[str, str], status: str = "") -> set[int]:
    params = {"status": status} if status else {}
    page = expect(await api.get("/offers", params=params, headers=who), 200)
    assert page["next"] is None
    return {item["id"] for item in page["items"]}


async def test_r3_an_offer_is_registered_pending_with_every_field(
    api: httpx.AsyncClient, world: World
) -> None:
    alice = world.members["alice"]
    founder_part = component(world.offers["founder"], quantity="0.5", founder_price="120.50")
    body = offer_body(
        name="Pen test",
        unit_price="1234.50",
        commission_rate="12.50",
        procurement="resell",
        max_discount="7.5",
        founder_component=founder_part,
    )
    created = expect(await api.post("/offers", json=body, headers=alice.headers), 201)
    assert created == {
        "id": created["id"],
        "owner_id": alice.id,
        "name": "Pen test",
        "description": "A day of audit",
        "unit": "day",
        "unit_price": "1234.50",
        "segment": "B2B",
        "commission_rate": "12.5",
        "procurement": "resell",
        "max_discount": "7.5",
        "founder_component": {
            "offer_id": world.offers["founder"],
            "quantity": "0.5",
            "founder_price": "120.50",
        },
        "playbook": "Ask about last year's incidents.",
        "status": "pending",
        "refusal_reason": None,
        "withdrawal_reason": None,
        "tax_rate": "20",
    }
    read = expect(await api.get(f"/offers/{created['id']}", headers=alice.headers), 200)
    assert read == created


@pytest.mark.parametrize("missing", ["playbook", "name", "unit_price", "commission_rate"])
async def test_r3_required_parts_of_an_offer(
    api: httpx.AsyncClient, world: World, missing: str
) -> None:
    body = offer_body()
    del body[missing]
    refused = await api.post("/offers", json=body, headers=world.founder.headers)
    assert refused.status_code == 422
    assert refused.json()["detail"] == f"{missing}: required field is missing"


async def test_r4_a_b2c_offer_is_refused_naming_the_rule(
    api: httpx.AsyncClient, world: World
) -> None:
    alice = world.members["alice"]
    refused = await register(
        api, alice, segment="B2C", founder_component=component(world.offers["founder"])
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "segment: B2C offers are refused: the cluster targets the B2B segment only"
    )
    assert world.offers["alice-audit"] in await listed_ids(api, alice.headers)
    assert len(await listed_ids(api, alice.headers)) == 4


async def test_r5_the_founders_own_offer_embeds_no_component(
    api: httpx.AsyncClient, world: World
) -> None:
    created = expect(await register(api, world.founder, name="Coaching"), 201)
    assert created["founder_component"] is None
    refused = await register(
        api, world.founder, founder_component=component(world.offers["founder"])
    )
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("founder_component: ")


async def test_r5_a_members_offer_without_founder_component_is_refused(
    api: httpx.AsyncClient, world: World
) -> None:
    refused = await register(api, world.members["alice"])
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "founder_component: required: every offer must embed a part of the founder's service"
    )


async def test_r5_a_free_sample_of_the_founder_is_a_valid_component(
    api: httpx.AsyncClient, world: World
) -> None:
    founder_part = component(world.offers["founder"], founder_price="0")
    created = expect(await register(api, world.members["bob"], founder_component=founder_part), 201)
    assert created["founder_component"]["founder_price"] == "0.00"


async def test_r5_the_component_must_be_a_validated_founder_offer_of_the_cluster(
    api: httpx.AsyncClient, world: World, other: World
) -> None:
    pending = await add_offer(api, world, world.founder, "founder-pending", validate=False)
    refused_offer = await add_offer(api, world, world.founder, "founder-refused", validate=False)
    expect(await decide(api, world.founder, refused_offer, "refuse", "not ready"), 200)
    withdrawn = await add_offer(api, world, world.founder, "founder-withdrawn")
    path = f"/offers/{withdrawn}/withdraw"
    expect(await api.post(path, headers=world.founder.headers), 200)
    targets = {
        "pending founder offer": (pending, "must be validated"),
        "refused founder offer": (refused_offer, "must be validated"),
        "withdrawn founder offer": (withdrawn, "must be validated"),
        "a member's validated offer": (
            world.offers["bob-install"],
            "offer of the cluster's founder",
        ),
        "another cluster's founder offer": (
            other.offers["founder"],
            "offer of the cluster's founder",
        ),
        "no such offer": (999999, "offer of the cluster's founder"),
    }
    for label, (offer_id, words) in targets.items():
        refused = await register(api, world.members["alice"], founder_component=component(offer_id))
        assert refused.status_code == 422, label
        detail = refused.json()["detail"]
        assert detail.startswith("founder_component.offer_id: "), label
        assert words in detail, label
    # Another cluster's offer is refused in the very words of a missing one.
    foreign = component(other.offers["founder"])
    unknown = component(999999)
    foreign_refusal = await register(api, world.members["alice"], founder_component=foreign)
    unknown_refusal = await register(api, world.members["alice"], founder_component=unknown)
    assert foreign_refusal.json() == unknown_refusal.json()


async def test_r5_the_founders_part_fits_in_the_unit_price(
    api: httpx.AsyncClient, world: World
) -> None:
    founder_part = component(world.offers["founder"], founder_price="1000.01")
    refused = await register(
        api, world.members["alice"], unit_price="1000.00", founder_component=founder_part
    )
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("founder_component.founder_price: ")


@pytest.mark.parametrize(
    ("rate", "shown"),
    [("0", "0"), ("50", "50"), ("50.0000", "50"), ("0.0001", "0.0001"), ("012", "12")],
)
async def test_commission_rate_from_0_to_50_percent_is_accepted(
    api: httpx.AsyncClient, world: World, rate: object, shown: str
) -> None:
    created = expect(await register(api, world.founder, commission_rate=rate), 201)
    assert created["commission_rate"] == shown


@pytest.mark.parametrize(
    "rate", ["50.0001", "51", "100", "-0.0001", "-10", "12.34567", 10.5, 12, "+5", "1E+1"]
)
async def test_commission_rate_outside_0_to_50_percent_is_refused(
    api: httpx.AsyncClient, world: World, rate: object
) -> None:
    refused = await register(api, world.founder, commission_rate=rate)
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("commission_rate: ")


async def test_r6_the_founder_validates_a_pending_offer(
    api: httpx.AsyncClient, world: World
) -> None:
    offer = await add_offer(api, world, world.members["alice"], "pending-audit", validate=False)
    validated = expect(await decide(api, world.founder, offer, "validate"), 200)
    assert validated["status"] == "validated"
    assert validated["refusal_reason"] is None
    assert offer in await listed_ids(api, world.members["carol"].headers, "validated")


async def test_r6_the_founder_refuses_with_a_reason(api: httpx.AsyncClient, world: World) -> None:
    alice = world.members["alice"]
    offer = await add_offer(api, world, alice, "pending-audit", validate=False)
    without = await decide(api, world.founder, offer, "refuse")
    assert without.status_code == 422
    assert without.json()["detail"] == "reason: a refusal must give a reason"
    blank = await decide(api, world.founder, offer, "refuse", "   ")
    assert blank.status_code == 422

    refused = expect(await decide(api, world.founder, offer, "refuse", "Price too high"), 200)
    assert refused["status"] == "refused"
    assert refused["refusal_reason"] == "Price too high"
    mine = expect(await api.get(f"/offers/{offer}", headers=alice.headers), 200)
    assert mine["refusal_reason"] == "Price too high"


@pytest.mark.parametrize(
    ("first", "second"),
    [("validate", "refuse"), ("refuse", "validate"), ("validate", "validate")],
)
async def test_r6_an_already_decided_offer_is_a_conflict(
    api: httpx.AsyncClient, world: World, first: str, second: str
) -> None:
    offer = await add_offer(api, world, world.members["bob"], "pending", validate=False)
    expect(await decide(api, world.founder, offer, first, "no"), 200)
    again = await decide(api, world.founder, offer, second, "changed my mind")
    assert again.status_code == 409
    assert "already" in again.json()["detail"]


async def test_r6_only_the_founder_decides(api: httpx.AsyncClient, world: World) -> None:
    alice, bob = world.members["alice"], world.members["bob"]
    pending = await add_offer(api, world, alice, "pending", validate=False)
    own = await decide(api, alice, pending, "validate")
    assert own.status_code == 403
    assert "founder" in own.json()["detail"]
    hidden = await decide(api, bob, pending, "validate")
    assert hidden.status_code == 404
    path = f"/offers/{pending}/validation"
    operator = await api.post(path, json={"decision": "validate"}, headers=OPERATOR)
    assert operator.status_code == 403
    still = expect(await api.get(f"/offers/{pending}", headers=alice.headers), 200)
    assert still["status"] == "pending"


async def test_r6_pending_and_refused_offers_are_invisible_to_other_members(
    api: httpx.AsyncClient, world: World
) -> None:
    alice, bob = world.members["alice"], world.members["bob"]
    validated = set(world.offers.values())
    pending = await add_offer(api, world, alice, "pending", validate=False)
    refused = await add_offer(api, world, alice, "refused", validate=False)
    expect(await decide(api, world.founder, refused, "refuse", "duplicate"), 200)

    for offer in (pending, refused):
        hidden = await api.get(f"/offers/{offer}", headers=bob.headers)
        missing = await api.get("/offers/999999", headers=bob.headers)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()
    assert await listed_ids(api, bob.headers) == validated
    assert await listed_ids(api, bob.headers, "pending") == set()
    assert await listed_ids(api, alice.headers, "pending") == {pending}
    assert await listed_ids(api, world.founder.headers, "pending") == {pending}
    assert await listed_ids(api, OPERATOR, "refused") == {refused}


async def test_r6_the_owner_withdraws_its_offer(api: httpx.AsyncClient, world: World) -> None:
    alice, bob = world.members["alice"], world.members["bob"]
    offer = world.offers["alice-audit"]
    withdrawn = expect(await api.post(f"/offers/{offer}/withdraw", headers=alice.headers), 200)
    assert withdrawn["status"] == "withdrawn"
    assert offer not in await listed_ids(api, bob.headers)
    assert await listed_ids(api, alice.headers, "withdrawn") == {offer}
    again = await api.post(f"/offers/{offer}/withdraw", headers=alice.headers)
    assert again.status_code == 409


async def test_r6_only_the_owner_withdraws(api: httpx.AsyncClient, world: World) -> None:
    offer = world.offers["alice-audit"]
    for headers in (world.members["bob"].headers, world.founder.headers):
        refused = await api.post(f"/offers/{offer}/withdraw", headers=headers)
        assert refused.status_code == 403
        assert "owner" in refused.json()["detail"]
    assert (await api.post(f"/offers/{offer}/withdraw", headers=OPERATOR)).status_code == 403
    assert (await api.post(f"/offers/{offer}/withdraw")).status_code == 401
    still = expect(await api.get(f"/offers/{offer}", headers=OPERATOR), 200)
    assert still["status"] == "validated"


async def test_another_clusters_offer_answers_like_a_missing_one(
    api: httpx.AsyncClient, world: World, other: World
) -> None:
    foreign_offer = other.offers["olga-cables"]
    calls = [
        ("GET", "", world.members["alice"], None),
        ("POST", "/validation", world.founder, {"decision": "refuse", "reason": "mine now"}),
        ("POST", "/withdraw", world.founder, None),
    ]
    for method, suffix, who, body in calls:
        foreign = await api.request(
            method, f"/offers/{foreign_offer}{suffix}", json=body, headers=who.headers
        )
        missing = await api.request(
            method, f"/offers/999999{suffix}", json=body, headers=who.headers
        )
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json() == missing.json() == {"detail": "offer not found"}
    assert foreign_offer not in await listed_ids(api, world.founder.headers)
    still = expect(await api.get(f"/offers/{foreign_offer}", headers=OPERATOR), 200)
    assert still["status"] == "validated"


async def test_offers_are_listed_page_by_page(api: httpx.AsyncClient, world: World) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = expect(await api.get("/offers", params=params, headers=world.founder.headers), 200)
        assert len(page["items"]) <= 3
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == sorted(world.offers.values())


async def test_r21_an_offer_takes_its_own_tax_rate_or_the_clusters_default(
    api: httpx.AsyncClient, world: World
) -> None:
    alice = world.members["alice"]
    component = {"offer_id": world.offers["founder"], "quantity": "1", "founder_price": "1.00"}
    own = offer_body(tax_rate="5.50", founder_component=component)
    created = expect(await api.post("/offers", json=own, headers=alice.headers), 201)
    assert created["tax_rate"] == "5.5"
    path = f"/clusters/{world.cluster_id}/settings"
    expect(await api.patch(path, json={"default_tax_rate": "0"}, headers=OPERATOR), 200)
    default = offer_body(founder_component=component)
    created = expect(await api.post("/offers", json=default, headers=alice.headers), 201)
    assert created["tax_rate"] == "0"
