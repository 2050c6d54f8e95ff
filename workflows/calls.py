"""Typed calls to the quote's activities, with the timeouts and retries they need.

Activities are named, not imported: their modules hold SQLAlchemy and reportlab, which must
stay out of the workflow sandbox.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.quote_payloads import (
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


async def check_founder_inclusion(check: FounderCheck) -> list[int]:
    return await workflow.execute_activity(
        Act.CHECK_FOUNDER_INCLUSION,
        check,
        result_type=list[int],
        start_to_close_timeout=QUICK,
        retry_policy=RETRY,
        summary="check founder offers are still validated",
    )


async def save_revision(save: SaveRevision) -> None:
    await workflow.execute_activity(
        Act.SAVE_QUOTE_REVISION, save, start_to_close_timeout=QUICK, retry_policy=RETRY
    )


async def record_status(record: StatusRecord) -> None:
    await workflow.execute_activity(
        Act.RECORD_QUOTE_STATUS,
        record,
        start_to_close_timeout=QUICK,
        retry_policy=RETRY,
        summary=f"status {record.status}",
    )


async def record_decision(record: DecisionRecord) -> None:
    await workflow.execute_activity(
        Act.RECORD_DECISION,
        record,
        start_to_close_timeout=QUICK,
        retry_policy=RETRY,
        summary=f"supplier {record.supplier_id} {record.status}",
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
