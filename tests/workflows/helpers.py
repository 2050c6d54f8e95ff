"""What the lifecycle tests share: launching a quote, reading the outbox, keeping histories."""

from __future__ import annotations

import asyncio
import email
import os
from email.message import Message
from pathlib import Path
from typing import Any

from models.domain import quote_workflow_id
from tests.factories import Actor, World, expect
from tests.workflows.conftest import Live

HISTORIES = Path(__file__).parent / "histories"


async def launch(live: Live, world: World, seller: Actor, lines: list[dict[str, Any]]) -> Any:
    body = {"client_id": world.clients["acme"], "lines": lines}
    return expect(await live.api.post("/quotes", json=body, headers=seller.headers), 201)


def line(world: World, offer: str, quantity: str = "1", discount: str = "0") -> dict[str, Any]:
    return {"offer_id": world.offers[offer], "quantity": quantity, "discount": discount}


async def decide(
    live: Live, number: str, who: Actor, revision: int, decision: str = "approve", **extra: Any
) -> Any:
    body = {"revision": revision, "decision": decision, **extra}
    return await live.api.post(f"/quotes/{number}/decisions", json=body, headers=who.headers)


def outbox(live: Live) -> list[Message]:
    folder = live.settings.OUTBOX_DIR
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def mails(live: Live, kind_word: str) -> list[Message]:
    """Messages whose subject contains a word of their kind."""
    return [m for m in outbox(live) if kind_word.lower() in str(m["Subject"]).lower()]


async def mails_after(live: Live, kind_word: str, within: float = 10) -> list[Message]:
    """The messages of a kind once at least one is there: an email follows the store write a
    reader may have seen first."""
    deadline = asyncio.get_running_loop().time() + within
    while not (found := mails(live, kind_word)):
        if asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.1)
    return found


async def keep_history(live: Live, number: str, name: str) -> None:
    """Records the quote workflow's history for the replay tests."""
    await keep_workflow_history(live, quote_workflow_id(number), name)


async def keep_workflow_history(live: Live, workflow_id: str, name: str) -> None:
    """Records a workflow's history for the replay tests when ARKANNA_RECORD_HISTORIES=1."""
    if os.environ.get("ARKANNA_RECORD_HISTORIES") != "1":
        return
    history = await live.temporal.get_workflow_handle(workflow_id).fetch_history()
    HISTORIES.mkdir(exist_ok=True)
    (HISTORIES / f"{name}.json").write_text(history.to_json())


async def accept(live: Live, seller: Actor, number: str, within: float = 30, **extra: Any) -> Any:
    state = await live.until(number, seller.headers, "sent", within=within)
    token = state["client_link"].rsplit("/", 1)[-1]
    body = {"signer_name": "Carl Client", **extra}
    return expect(await live.api.post(f"/q/{token}/accept", json=body), 200)
