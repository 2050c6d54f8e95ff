"""A quote's creation answers once its workflow has taken its first task, so the suppliers'
first decisions find it made; without a worker it still answers, the quote kept."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from models.domain import quote_workflow_id
from settings import Settings
from tests.factories import catalogue_world
from tests.temporal_fixtures import terminate_open
from tests.workflows.conftest import FAST, Live, api_only
from tests.workflows.helpers import launch, line

FIRST_TASK_DONE = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED


async def _first_tasks_done(live: Live, number: str) -> int:
    handle = live.temporal.get_workflow_handle(quote_workflow_id(number))
    history = await handle.fetch_history()
    return sum(event.event_type == FIRST_TASK_DONE for event in history.events)


async def test_the_creation_answers_after_the_workflows_first_task(live: Live) -> None:
    world = await catalogue_world(live.api, settings=FAST)
    quote = await launch(live, world, world.members["alice"], [line(world, "bob-install")])
    assert await _first_tasks_done(live, quote["number"]) >= 1


async def test_without_a_worker_the_creation_still_answers(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> None:
    async with api_only(settings, db, temporal_client) as live:
        world = await catalogue_world(live.api, settings=FAST)
        quote = await launch(live, world, world.members["alice"], [line(world, "bob-install")])
        assert quote["status"] == "pending_approval"
        assert await _first_tasks_done(live, quote["number"]) == 0
        await terminate_open(temporal_client, live.settings.TEMPORAL_TASK_QUEUE)
