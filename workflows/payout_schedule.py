"""Each cluster's payout Schedule (R27): on the first of every month at 06:00 UTC it starts the
cluster's PayoutRunWorkflow for the month before, visible (and pausable) in the Temporal UI.

Created when a cluster is founded and, for any cluster without one, when the worker starts:
creating it again is a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from models.payout_runs import RunInput, schedule_id
from workflows.payout_run import PayoutRunWorkflow

log = logging.getLogger("arkanna.payouts")

MONTHLY = ScheduleCalendarSpec(
    day_of_month=[ScheduleRange(1)],
    hour=[ScheduleRange(6)],
    minute=[ScheduleRange(0)],
    second=[ScheduleRange(0)],
    comment="the first of the month, 06:00 UTC",
)


def payout_schedule(cluster_id: int, task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            PayoutRunWorkflow.run,
            RunInput(cluster_id),
            id=f"payout-run-{cluster_id}-scheduled",
            task_queue=task_queue,
            static_summary=f"Payout run of cluster {cluster_id}",
        ),
        spec=ScheduleSpec(calendars=[MONTHLY]),
        # A run waits for its operator; the next month's never starts over a run still open.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.BUFFER_ONE),
        state=ScheduleState(note=f"Monthly payouts of cluster {cluster_id}"),
    )


async def ensure_payout_schedule(client: Client, cluster_id: int, task_queue: str) -> bool:
    """The cluster's Schedule, created unless it exists; True when created now. An existing
    one takes the current calendar and action (a new task queue, say) and keeps its state:
    paused by an operator, it stays paused."""
    wanted = payout_schedule(cluster_id, task_queue)
    try:
        await client.create_schedule(schedule_id(cluster_id), wanted)
    except ScheduleAlreadyRunningError:
        handle = client.get_schedule_handle(schedule_id(cluster_id))

        def keep_state(update: ScheduleUpdateInput) -> ScheduleUpdate:
            current = update.description.schedule
            return ScheduleUpdate(replace(wanted, state=current.state))

        await handle.update(keep_state)
        return False
    return True


async def ensure_payout_schedules(
    client: Client, cluster_ids: Iterable[int], task_queue: str
) -> int:
    """Every cluster's Schedule; how many were missing."""
    created = 0
    for cluster_id in cluster_ids:
        created += await ensure_payout_schedule(client, cluster_id, task_queue)
    if created:
        log.info("created %d payout schedule(s)", created)
    return created
