"""The largest quote the API allows stays well inside Temporal's history and payload limits.

100 lines from 20 suppliers (19 members and the founder, whose service is under every line),
10 revisions, and 30 reminders to every supplier in the last one: under 2,500 events, and no
payload over 256 KB (Temporal warns at 10,240 events and 256 KB, and fails at 2 MB).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType

from models.domain import quote_workflow_id
from tests.factories import Actor, World, add_offer, catalogue_world, expect, join
from tests.workflows.conftest import Live
from tests.workflows.helpers import decide, launch

EVENT_BUDGET = 2_500
PAYLOAD_BUDGET = 256 * 1024
OFFERS_EACH = 5
MAX_LINES = 100
REMINDERS = 30


def _lines(world: World, suppliers: list[Actor], quantity: str) -> list[dict[str, Any]]:
    """100 lines: every offer of every supplier, then the first ones again."""
    offers = [world.offers[f"{s.name}-{n}"] for s in suppliers for n in range(OFFERS_EACH)]
    return [
        {"offer_id": offers[i % len(offers)], "quantity": quantity, "discount": "0"}
        for i in range(MAX_LINES)
    ]


def _payloads(message: Any) -> list[Payload]:
    """Every Payload inside a protobuf message, however deeply nested."""
    found: list[Payload] = []
    for _, value in message.ListFields():
        values = (
            value if hasattr(value, "__len__") and not isinstance(value, str | bytes) else [value]
        )
        for item in values:
            if isinstance(item, Payload):
                found.append(item)
            elif hasattr(item, "ListFields"):
                found.extend(_payloads(item))
    return found


@pytest.mark.slow
async def test_the_largest_quote_fits_the_history_budget(live: Live) -> None:
    timing = {"reminder_interval": 1, "approval_timeout": REMINDERS + 1, "revision_timeout": 600}
    world = await catalogue_world(live.api, settings=timing)
    seller = world.members["alice"]
    suppliers = [await join(live.api, world, world.founder, f"s{n:02}") for n in range(19)]
    for supplier in suppliers:
        for n in range(OFFERS_EACH):
            await add_offer(live.api, world, supplier, f"{supplier.name}-{n}")
    quote = await launch(live, world, seller, _lines(world, suppliers, "1"))
    number = quote["number"]
    assert len(quote["lines"]) == 100 and len(quote["approvals"]) == 20

    for revision in range(1, 10):  # nine rejections, each answered by a new revision
        await live.until(number, seller.headers, "pending_approval")
        expect(await decide(live, number, suppliers[revision], revision, "reject"), 200)
        await live.until(number, seller.headers, "changes_requested")
        body = {"lines": _lines(world, suppliers, str(revision + 1))}
        path = f"/quotes/{number}/revisions"
        expect(await live.api.post(path, json=body, headers=seller.headers), 200)
    await live.until(number, seller.headers, "approval_expired", within=REMINDERS + 60)

    handle = live.temporal.get_workflow_handle(quote_workflow_id(number))
    history = await handle.fetch_history()
    largest = max(len(p.SerializeToString()) for e in history.events for p in _payloads(e))
    kinds = Counter(EventType.Name(e.event_type) for e in history.events)
    acts = Counter(
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    )
    print(f"\n{len(history.events)} events, largest payload {largest} bytes\n{kinds}\n{acts}")
    assert len(history.events) < EVENT_BUDGET
    assert largest < PAYLOAD_BUDGET
    state = expect(await live.api.get(f"/quotes/{number}", headers=seller.headers), 200)
    assert state["revision"] == 10
    assert sum(1 for e in state["events"] if e["kind"] == "reminded") >= REMINDERS - 1
