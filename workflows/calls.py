"""Typed calls to the quote's activities, with the timeouts and retries they need.

Activities are named, not imported: their modules hold SQLAlchemy and reportlab, which must
stay out of the workflow sandbox.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.quoting import (
        Act,
        DecisionRecord,
        FounderCheck,
        Notice,
        OpenOrder,
        OrderOpened,
        RenderQuote,
        SaveRevision,
        StatusRecord,
    )

# Business refusals raised by activities are final; anything else (a database or SMTP
# outage) is retried with backoff until it clears.
RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    maximum_interval=timedelta(seconds=10),
    non_retryable_error_types=["RuleViolation", "NotFound"],
)
QUICK = timedelta(seconds=30)
SLOW = timedelta(minutes=2)
LOCAL_STORE_CALLS = "local-store-calls"


async def check_founder_inclusion(check: FounderCheck) -> list[int]:
    result: list[int] = await _store_call(
        Act.CHECK_FOUNDER_INCLUSION,
        check,
        result_type=list[int],
        summary="check founder offers are still validated",
    )
    return result


async def save_revision(save: SaveRevision) -> None:
    await _store_call(
        Act.SAVE_QUOTE_REVISION, save, summary=f"save revision {save.revision.number}"
    )


async def record_status(record: StatusRecord) -> None:
    await _store_call(Act.RECORD_QUOTE_STATUS, record, summary=f"status {record.status}")


async def record_decision(record: DecisionRecord) -> None:
    await _store_call(
        Act.RECORD_DECISION, record, summary=f"supplier {record.supplier_id} {record.status}"
    )


async def _store_call(
    name: str, arg: object, *, summary: str, result_type: type | None = None
) -> Any:
    """A short store read or write. Local: it runs in the worker running the workflow task,
    with no round trip through the server (one marker in the history instead of three events),
    so a supplier's decision is answered after one workflow task. Histories recorded before
    replay it as the activity they scheduled."""
    if workflow.patched(LOCAL_STORE_CALLS):
        return await workflow.execute_local_activity(
            name,
            arg,
            result_type=result_type,
            start_to_close_timeout=QUICK,
            retry_policy=RETRY,
            summary=summary,
        )
    return await workflow.execute_activity(
        name,
        arg,
        result_type=result_type,
        start_to_close_timeout=QUICK,
        retry_policy=RETRY,
        summary=summary,
    )


async def render_quote_pdf(render: RenderQuote) -> str:
    return await workflow.execute_activity(
        Act.RENDER_QUOTE_PDF,
        render,
        result_type=str,
        start_to_close_timeout=SLOW,
        retry_policy=RETRY,
        summary=f"render PDF revision {render.revision}",
    )


async def open_order(order: OpenOrder) -> OrderOpened:
    return await workflow.execute_activity(
        Act.OPEN_ORDER,
        order,
        result_type=OrderOpened,
        start_to_close_timeout=SLOW,
        retry_policy=RETRY,
        summary="open the order and its procurement documents",
    )


async def send_notices(notices: list[Notice]) -> None:
    if not notices:
        return
    await workflow.execute_activity(
        Act.SEND_NOTICES,
        notices,
        start_to_close_timeout=SLOW,
        retry_policy=RETRY,
        summary=f"email {notices[0].kind} to {len(notices)} people",
    )


async def send_notice(notice: Notice) -> None:
    await workflow.execute_activity(
        Act.SEND_NOTICE,
        notice,
        start_to_close_timeout=QUICK,
        retry_policy=RETRY,
        summary=f"email {notice.kind} to {notice.to_name}",
    )
