"""`GET /quotes?awaiting=me`: the quotes whose current revision waits on the caller's decision,
whether the decision comes through the API or through the emailed approval link."""

from __future__ import annotations

import asyncio
import re
from email.message import Message

from tests.factories import OPERATOR, Actor, add_client, catalogue_world, expect
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import decide, launch, line, outbox


async def waiting_on(live: Live, who: Actor) -> list[str]:
    page = expect(await live.api.get("/quotes?awaiting=me", headers=who.headers), 200)
    return [item["number"] for item in page["items"]]


async def settles_on(live: Live, who: Actor, expected: list[str], within: float = 10) -> None:
    """The list once the store has followed the last decision: the decision answers when the
    workflow holds it, and the activity that writes it lands tens of milliseconds later."""
    deadline = asyncio.get_running_loop().time() + within
    while (seen := await waiting_on(live, who)) != expected:
        assert asyncio.get_running_loop().time() < deadline, seen
        await asyncio.sleep(0.05)


def body_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError("no text part")


async def approval_link(live: Live, number: str, who: Actor, within: float = 10) -> str:
    """The approval link of `who`'s request for `number`, read from the outbox's .eml files
    once the email is there (it follows the store write the list reads)."""
    address = f"{who.name}@members.example.com"
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        for message in outbox(live):
            subject = str(message["Subject"])
            if address in str(message["To"]) and f"quote {number} revision 1" in subject:
                found = re.search(r"/a/\S+", body_of(message))
                assert found, body_of(message)
                return found.group(0)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no approval request for {who.name} on {number}")


async def test_each_supplier_lists_what_waits_on_it_and_nothing_else(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    both = (
        await launch(
            live, world, alice, [line(world, "bob-install"), line(world, "carol-training")]
        )
    )["number"]
    carols = (await launch(live, world, alice, [line(world, "carol-training")]))["number"]
    client = await add_client(live.api, world, bob, "bobs-client")
    body = {"client_id": client, "lines": [line(world, "alice-audit")]}
    bobs = expect(await live.api.post("/quotes", json=body, headers=bob.headers), 201)["number"]

    assert await waiting_on(live, bob) == [both]  # bob's own quote waits on others, not him
    assert await waiting_on(live, carol) == [both, carols]
    assert await waiting_on(live, world.founder) == [both, carols, bobs]
    assert await waiting_on(live, alice) == [bobs]  # the seller of two, a supplier of one

    # Carol approves from her emailed link: no API key, and the list follows.
    link_path = await approval_link(live, carols, carol)
    unsaid = await live.api.post(f"{link_path}/reject", json={"comment": "  "})
    assert unsaid.status_code == 422 and "comment" in unsaid.text
    assert await waiting_on(live, carol) == [both, carols]  # the refusal decided nothing
    link = await live.api.post(f"{link_path}/approve", json={})
    assert expect(link, 200)["decision"]["status"] == "approved"
    await settles_on(live, carol, [both])

    # A rejection sends the quote back to its seller: it waits on nobody any more.
    expect(await decide(live, both, bob, 1, "reject", comment="too far to drive"), 200)
    await live.until(both, alice.headers, "changes_requested")
    await settles_on(live, carol, [])
    await settles_on(live, world.founder, [carols, bobs])

    refused = await live.api.get("/quotes?awaiting=me", headers=OPERATOR)
    assert refused.status_code == 422 and "awaiting" in refused.text
    wrong = await live.api.get("/quotes?awaiting=you", headers=bob.headers)
    assert wrong.status_code == 422
