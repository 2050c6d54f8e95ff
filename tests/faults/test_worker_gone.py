"""A quote whose worker died mid-task: reading it answers 503 with Retry-After, never 500."""

from __future__ import annotations

import asyncio

from models.domain import quote_workflow_id
from models.quote_payloads import ClientViewInput
from tests.factories import catalogue_world
from tests.faults.conftest import Rig
from tests.faults.deals import Stack, create_quote
from workflows.quote import QuoteWorkflow


async def test_reading_a_quote_whose_worker_died_mid_task_answers_503(rig: Rig) -> None:
    worker = rig.worker()
    worker.start()
    world = await catalogue_world(rig.api)
    alice = world.members["alice"]
    stack = Stack(rig.api, rig.db, asyncio.get_running_loop().time() + 60)
    lines = [{"offer_id": world.offers["alice-audit"], "quantity": "1", "discount": "0"}]
    number = (await create_quote(stack, alice, world.clients["acme"], lines, "reader"))["number"]
    await worker.ready()
    assert worker.kill() == -9
    # A signal schedules a workflow task that no worker will run: queries now wait on it.
    handle = rig.temporal.get_workflow_handle(quote_workflow_id(number))
    await handle.signal(QuoteWorkflow.client_viewed, ClientViewInput(1))

    answer = await rig.api.get(f"/quotes/{number}", headers=alice.headers)

    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"].isdigit()
    assert "unavailable" in answer.json()["detail"]
