"""A paid invoice's workflow is one step: its email went with the issue, its attributes with its
start, and the payment, the split and the receipt are one activity, whose result carries the
invoice's "encaissée" for the operator."""

from __future__ import annotations

import json

from temporalio.api.enums.v1 import EventType

from models.domain import invoice_workflow_id
from tests.factories import catalogue_world, expect
from tests.workflows.commission_helpers import close_deal, invoices, pay, workflow_ended
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import line, mails_after

SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
UPSERTED = EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
STARTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
COMPLETED = EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED


async def test_a_paid_invoice_is_one_activity_with_its_attributes_from_the_start(
    live: Live,
) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    order = await close_deal(live, world, alice, [line(world, "alice-audit")])
    number = (await invoices(live, order))[alice.id]["number"]
    paid = expect(await pay(live, number, "120.00", "TRX-9"), 200)
    assert paid["status"] in ("paid", "split") and paid["payment_reference"] == "TRX-9"
    await workflow_ended(live, number)

    handle = live.temporal.get_workflow_handle(invoice_workflow_id(number))
    events = [event async for event in handle.fetch_history_events()]
    activities = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in events
        if e.event_type == SCHEDULED
    ]
    assert activities == ["settle_commission_payment"]
    start = events[0].workflow_execution_started_event_attributes.search_attributes
    assert {"InvoiceNumber", "InvoiceStatus", "InvoiceOverdue", "ClusterId"} <= set(
        start.indexed_fields
    )
    upserted = [
        set(e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
        for e in events
        if e.event_type == UPSERTED
    ]
    assert upserted == [{"InvoiceStatus"}]  # no patch marker: one upsert, the status
    # The operator reads "encaissée" on the step's result and in the workflow's details.
    [done] = [e for e in events if e.event_type == COMPLETED]
    [payload] = done.activity_task_completed_event_attributes.result.payloads
    [event] = json.loads(payload.data)["events"]
    assert (event["status"], event["reference"]) == ("encaissee", "TRX-9")
    assert event["label"].startswith(f"{number} encaissée ")
    metadata = await handle.query("__temporal_workflow_metadata")
    assert event["label"] in str(metadata.current_details)
    assert len(await mails_after(live, "Commission invoice")) == 1  # sent with the issue
    assert len(await mails_after(live, "Payment received")) == 1
