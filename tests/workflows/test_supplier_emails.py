"""R18 on the supplier side, through the real workflow: every approval email has the link, the
deadline and Reply-To the seller; the escalation names who else is pending; a revision's
request says what changed for its reader and quotes its own rejection, nobody else's."""

from __future__ import annotations

import asyncio
import re
from email.message import Message

from tests.factories import catalogue_world, expect
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import decide, keep_history, launch, line, outbox


def text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError("no text part")


def html_of(message: Message) -> str | None:
    parts = [p for p in message.walk() if p.get_content_type() == "text/html"]
    return None if not parts else str(parts[0].get_payload(decode=True), "utf-8")


def to(live: Live, address: str, subject_word: str) -> list[Message]:
    return [
        m
        for m in outbox(live)
        if address in str(m["To"]) and subject_word.lower() in str(m["Subject"]).lower()
    ]


async def one_to(live: Live, address: str, subject_word: str, within: float = 10) -> Message:
    """The one message to `address` with the word in its subject, once it has arrived."""
    deadline = asyncio.get_running_loop().time() + within
    while not (found := to(live, address, subject_word)):
        assert asyncio.get_running_loop().time() < deadline, f"no {subject_word} to {address}"
        await asyncio.sleep(0.1)
    [message] = found
    return message


def link_in(message: Message) -> str:
    found = re.search(r"/a/\S+", text_of(message))
    assert found, text_of(message)
    return found.group(0)


async def test_reminders_and_escalation_carry_the_link_the_deadline_and_the_seller(
    live: Live,
) -> None:
    timing = {**FAST, "reminder_interval": 1, "approval_timeout": 3}
    world = await catalogue_world(live.api, settings=timing)
    alice = world.members["alice"]
    number = (await launch(live, world, alice, [line(world, "bob-install")]))["number"]
    await live.until(number, alice.headers, "approval_expired", within=20)

    bob = "bob@members.example.com"
    [request] = to(live, bob, "approval needed")
    reminders = to(live, bob, "reminder")
    assert len(reminders) == 2
    for message in (request, *reminders):
        assert message["Reply-To"] == "Alice <alice@members.example.com>"
        assert html_of(message) is not None
        assert link_in(message) == link_in(request)  # one link per supplier and revision
        assert "Please decide before " in text_of(message)

    escalation = await one_to(live, "fay@founder.example.com", "still waiting for supplier")
    text = " ".join(text_of(escalation).split())
    assert "a decision from: Bob (Bob Ltd), you (the founder components)." in text
    assert "Fay Founder" not in text.split("Hello Fay Founder,")[1]
    assert re.search(r"approval deadline, \d{4}-\d\d-\d\d \d\d:\d\d UTC\.", text)
    assert escalation["Reply-To"] == "Alice <alice@members.example.com>"
    await keep_history(live, number, "approval_links_escalation")


async def test_a_revisions_request_says_what_changed_and_quotes_only_its_readers_comment(
    live: Live,
) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice, carol = world.members["alice"], world.members["carol"]
    lines = [line(world, "bob-install"), line(world, "carol-training")]
    number = (await launch(live, world, alice, lines))["number"]
    expect(await decide(live, number, world.members["bob"], 1), 200)
    expect(await decide(live, number, carol, 1, "reject", comment="Two days,\nnot one."), 200)
    await live.until(number, alice.headers, "changes_requested")
    lines = [line(world, "bob-install"), line(world, "carol-training", "2")]
    revise = f"/quotes/{number}/revisions"
    expect(await live.api.post(revise, json={"lines": lines}, headers=alice.headers), 200)
    carols = await one_to(live, "carol@members.example.com", "revision 2")
    text = text_of(carols)
    assert (
        "after you rejected revision 1 with this comment:\n    > Two days,\n    > not one." in text
    )
    assert (
        "What changed for you since revision 1:\n- carol-training: quantity 1 day → 2 day" in text
    )
    assert "bob-install" not in text
    founders = await one_to(live, "fay@founder.example.com", "revision 2")
    text = text_of(founders)
    assert "- founder in carol-training: line quantity 1 day → 2 day" in text
    assert "Two days" not in text and "rejected" not in text  # another supplier's words
    assert not to(live, "bob@members.example.com", "revision 2")  # bob's part did not change
    await keep_history(live, number, "approval_links_revised")
