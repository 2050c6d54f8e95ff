"""R7–R13 driven through the API against the real workflow on the real dev server."""

from __future__ import annotations

from email.message import Message

from tests.factories import add_offer, catalogue_world, expect
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import accept, decide, keep_history, launch, line, mails


async def test_happy_path_prices_exactly_and_reaches_an_order(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob = world.members["alice"], world.members["bob"]
    quote = await launch(
        live,
        world,
        alice,
        [line(world, "alice-audit", "3", "12.5"), line(world, "bob-install", "1.5")],
    )
    number = quote["number"]
    assert number.startswith("Q-") and quote["revision"] == 1
    # 3 × 1000.00 × 0.875 = 2625.00 ; 1.5 × 1000.00 = 1500.00
    assert [row["net"] for row in quote["lines"]] == ["2625.00", "1500.00"]
    assert quote["total"] == "4125.00"
    # R8: the founder's service is listed under each line, and the founder approves it.
    assert {c["position"] for c in quote["founder_components"]} == {1, 2}
    approvals = {a["supplier_id"]: a["status"] for a in quote["approvals"]}
    assert approvals == {alice.id: "auto_approved", bob.id: "pending", world.founder.id: "pending"}

    # R9: a supplier sees its own lines only.
    bobs = expect(await live.api.get(f"/quotes/{number}", headers=bob.headers), 200)
    assert [row["offer_name"] for row in bobs["lines"]] == ["bob-install"] and bobs["total"] is None

    for supplier in (bob, world.founder):
        expect(await decide(live, number, supplier, 1), 200)
    sent = await live.until(number, alice.headers, "sent")
    assert sent["client_link"] and sent["valid_until"]
    assert len(mails(live, "approval")) == 2  # one request per pending supplier
    pdf = await live.api.get(f"/quotes/{number}/pdf", headers=alice.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    answered = await accept(live, alice, number, po_reference="PO-77")
    assert answered["status"] == "accepted"
    done = await live.until(number, alice.headers, "ordered")
    order = expect(
        await live.api.get(f"/orders/{done['order_number']}", headers=alice.headers), 200
    )
    modes = {(p["supplier_id"], p["mode"]) for p in order["procurement"]}
    # The founder's services are not hers to invoice to the client: each line's supplier owes
    # her the founder's part, 3 × 50.00 × 0.875 and 1.5 × 50.00.
    assert modes == {(alice.id, "direct"), (bob.id, "resell")}
    parts = {(c["owed_by"], c["founder_part"]) for c in order["founder_components"]}
    assert parts == {(alice.id, "131.25"), (bob.id, "75.00")}
    [notice] = mails(live, "your services")
    text = _plain(notice)
    assert "owed by" in text and "131.25" in text and "75.00" in text
    assert "invoice the client" not in text and "2625.00" not in text
    attached = [part.get_filename() for part in notice.walk() if part.get_filename()]
    assert attached == [
        f"{done['order_number']}-founder-po-{s}.pdf" for s in sorted((alice.id, bob.id))
    ]
    for direct in mails(live, "please invoice"):  # only alice's own line, never a service
        assert "your service" not in _plain(direct)
    po = next(p for p in order["procurement"] if p["mode"] == "resell")
    document = await live.api.get(po["document"], headers=bob.headers)
    assert document.status_code == 200 and document.content.startswith(b"%PDF")
    assert order["po_reference"] == "PO-77" and order["total"] == "4125.00"
    await keep_history(live, number, "happy")


def _plain(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return bytes(part.get_payload(decode=True)).decode()


async def test_rejection_then_revision_keeps_unchanged_approvals(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    quote = await launch(
        live, world, alice, [line(world, "bob-install"), line(world, "carol-training", "2")]
    )
    number = quote["number"]
    expect(await decide(live, number, bob, 1), 200)
    expect(await decide(live, number, world.founder, 1), 200)
    rejected = expect(await decide(live, number, carol, 1, "reject", comment="two is too few"), 200)
    assert rejected["status"] == "changes_requested"
    # A decision after the decision phase, or on an old revision, changes nothing.
    late = await decide(live, number, bob, 1)
    assert late.status_code == 409

    lines = [line(world, "bob-install"), line(world, "carol-training", "4")]
    revised = await live.api.post(
        f"/quotes/{number}/revisions", json={"lines": lines}, headers=alice.headers
    )
    state = expect(revised, 200)
    assert state["revision"] == 2
    approvals = {a["supplier_id"]: a["status"] for a in state["approvals"]}
    # Bob's line did not change: his approval stands; carol's and the founder's part changed.
    assert approvals == {bob.id: "approved", carol.id: "pending", world.founder.id: "pending"}
    stale = await decide(live, number, carol, 1)
    assert stale.status_code == 409 and "revision" in stale.json()["detail"]
    expect(await decide(live, number, carol, 2), 200)
    expect(await decide(live, number, world.founder, 2), 200)
    await live.until(number, alice.headers, "sent")
    await keep_history(live, number, "reject_then_revise")


async def test_reminders_escalation_and_approval_timeout(live: Live) -> None:
    timing = {**FAST, "reminder_interval": 1, "approval_timeout": 3}
    world = await catalogue_world(live.api, settings=timing)
    alice = world.members["alice"]
    quote = await launch(live, world, alice, [line(world, "bob-install")])
    number = quote["number"]
    state = await live.until(number, alice.headers, "approval_expired", within=20)
    kinds = [event["kind"] for event in state["events"]]
    assert kinds.count("reminded") == 2 and kinds.count("escalated") == 1
    assert len(mails(live, "reminder")) == 4  # bob and the founder, twice each
    assert len(mails(live, "escalat")) + len(mails(live, "still waiting")) >= 1
    refused = await decide(live, number, world.members["bob"], 1)
    assert refused.status_code in (409, 410)
    await keep_history(live, number, "approval_expired")


async def test_client_declines(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    quote = await launch(live, world, alice, [line(world, "alice-audit")])
    number = quote["number"]
    expect(await decide(live, number, world.founder, 1), 200)
    state = await live.until(number, alice.headers, "sent")
    token = state["client_link"].rsplit("/", 1)[-1]
    viewed = expect(await live.api.get(f"/q/{token}", headers={"Accept": "application/json"}), 200)
    assert viewed["total"] == "1000.00"
    declined = await live.api.post(f"/q/{token}/decline", json={"reason": "budget cut"})
    assert expect(declined, 200)["status"] == "declined"
    again = await live.api.post(f"/q/{token}/accept", json={"signer_name": "Carl Client"})
    assert again.status_code == 409
    final = await live.until(number, alice.headers, "declined")
    assert final["viewed_at"] is not None and final["end_reason"] == "budget cut"
    await keep_history(live, number, "client_declines")


async def test_validity_expiry(live: Live) -> None:
    world = await catalogue_world(live.api, settings={**FAST, "validity": 2})
    alice = world.members["alice"]
    quote = await launch(live, world, alice, [line(world, "alice-audit")])
    number = quote["number"]
    expect(await decide(live, number, world.founder, 1), 200)
    state = await live.until(number, alice.headers, "sent")
    token = state["client_link"].rsplit("/", 1)[-1]
    await live.until(number, alice.headers, "expired", within=20)
    late = await live.api.post(f"/q/{token}/accept", json={"signer_name": "Carl Client"})
    assert late.status_code in (409, 410)
    await keep_history(live, number, "validity_expired")


async def test_cancelled_by_seller(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob = world.members["alice"], world.members["bob"]
    quote = await launch(live, world, alice, [line(world, "bob-install")])
    number = quote["number"]
    other = await live.api.post(
        f"/quotes/{number}/cancel", json={"reason": "x"}, headers=bob.headers
    )
    assert other.status_code == 403
    done = await live.api.post(
        f"/quotes/{number}/cancel", json={"reason": "client went silent"}, headers=alice.headers
    )
    assert expect(done, 200)["status"] == "cancelled"
    await live.until(number, alice.headers, "cancelled")
    again = await live.api.post(
        f"/quotes/{number}/cancel", json={"reason": "x"}, headers=alice.headers
    )
    assert again.status_code in (409, 410)
    await keep_history(live, number, "cancelled")


async def test_blocked_when_the_founder_withdraws_its_service(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    await add_offer(live.api, world, world.founder, "founder-b", unit_price="100.00")
    await add_offer(
        live.api,
        world,
        alice,
        "alice-b",
        founder_component={
            "offer_id": world.offers["founder-b"],
            "quantity": "1",
            "founder_price": "10.00",
        },
    )
    path = f"/offers/{world.offers['founder']}/withdraw"
    expect(await live.api.post(path, headers=world.founder.headers), 200)
    quote = await launch(live, world, alice, [line(world, "alice-audit"), line(world, "alice-b")])
    number = quote["number"]
    blocked = await live.until(number, alice.headers, "blocked")
    assert blocked["blocked_lines"] == [1]
    revised = await live.api.post(
        f"/quotes/{number}/revisions",
        json={"lines": [line(world, "alice-b")]},
        headers=alice.headers,
    )
    assert expect(revised, 200)["status"] == "pending_approval"
    expect(await decide(live, number, world.founder, 2), 200)
    await live.until(number, alice.headers, "sent")
    await keep_history(live, number, "blocked")
