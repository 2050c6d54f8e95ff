"""The real dev server starts with the product's search attributes and the worker runs on it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

from temporalio import activity, workflow

# The sandbox re-imports this module for the workflows below: everything else passes through.
with workflow.unsafe.imports_passed_through():
    import pytest
    from pydantic import BaseModel
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
    from temporalio.client import Client

    from settings import SEARCH_ATTRIBUTES, Settings
    from tests.temporal_fixtures import assert_no_workflow_task_failure, running_worker
    from worker import MAX_CONCURRENT_ACTIVITIES, build_worker


class Price(BaseModel):
    amount: Decimal


@activity.defn
def add_vat(price: Price) -> Price:
    # A sync activity: it runs on the worker's thread pool, like the database activities.
    return Price(amount=(price.amount * Decimal("1.20")).quantize(Decimal("0.01")))


@workflow.defn
class PriceWithVatWorkflow:
    @workflow.run
    async def run(self, price: Price) -> Price:
        return await workflow.execute_activity(
            add_vat, price, start_to_close_timeout=timedelta(seconds=10)
        )


@workflow.defn
class BrokenWorkflow:
    @workflow.run
    async def run(self) -> None:
        raise RuntimeError("a bug in workflow code")


def _type_name(value: IndexedValueType.ValueType) -> str:
    # INDEXED_VALUE_TYPE_KEYWORD_LIST -> KeywordList
    words = IndexedValueType.Name(value).removeprefix("INDEXED_VALUE_TYPE_").split("_")
    return "".join(word.capitalize() for word in words)


async def test_dev_server_registers_every_search_attribute(temporal_client: Client) -> None:
    answer = await temporal_client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=temporal_client.namespace)
    )
    registered = {name: _type_name(kind) for name, kind in answer.custom_attributes.items()}
    assert {name: registered.get(name) for name in SEARCH_ATTRIBUTES} == SEARCH_ATTRIBUTES


async def test_worker_runs_a_workflow_and_a_sync_activity_with_decimals(
    temporal_client: Client, settings: Settings
) -> None:
    async with running_worker(
        temporal_client,
        settings,
        extra_workflows=[PriceWithVatWorkflow],
        extra_activities=[add_vat],
    ) as queue:
        handle = await temporal_client.start_workflow(
            PriceWithVatWorkflow.run,
            Price(amount=Decimal("1200.00")),
            id=f"price-{uuid4()}",
            task_queue=queue,
            execution_timeout=timedelta(seconds=30),
        )
        result = await handle.result()
        await assert_no_workflow_task_failure(handle)
    assert result == Price(amount=Decimal("1440.00"))


async def test_workflow_task_failure_is_reported_not_hidden(
    temporal_client: Client, settings: Settings
) -> None:
    async with running_worker(temporal_client, settings, extra_workflows=[BrokenWorkflow]) as queue:
        handle = await temporal_client.start_workflow(
            BrokenWorkflow.run,
            id=f"broken-{uuid4()}",
            task_queue=queue,
            execution_timeout=timedelta(seconds=30),
        )
        try:
            with pytest.raises(AssertionError, match="a bug in workflow code"):
                for _ in range(100):
                    await assert_no_workflow_task_failure(handle)
                    await asyncio.sleep(0.1)
        finally:
            await handle.terminate("test over")


async def test_worker_defaults_to_the_configured_queue_with_a_large_enough_pool(
    temporal_client: Client, settings: Settings
) -> None:
    settings = settings.model_copy(update={"TEMPORAL_TASK_QUEUE": f"default-{uuid4()}"})
    worker = build_worker(temporal_client, settings, extra_workflows=[PriceWithVatWorkflow])
    async with worker:  # started and shut down, so nothing keeps polling after the test
        config = worker.config()
    assert worker.task_queue == settings.TEMPORAL_TASK_QUEUE
    assert config.get("max_concurrent_activities") == MAX_CONCURRENT_ACTIVITIES
    executor = config.get("activity_executor")
    assert getattr(executor, "_max_workers", 0) >= MAX_CONCURRENT_ACTIVITIES
