"""Temporal calls from the API, and how their failures read over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from models.domain import quote_workflow_id
from models.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    NotFound,
    RuleViolation,
    Unavailable,
)
from models.quoting import QuoteState
from workflows.quote import QuoteWorkflow

T = TypeVar("T")

# Update rejections carry the rule's error type; the API answers with that error's status.
_BY_TYPE: dict[str, type[DomainError]] = {
    "RuleViolation": RuleViolation,
    "Forbidden": Forbidden,
    "Conflict": Conflict,
    "NotFound": NotFound,
}


def quote_handle(client: Client, number: str) -> WorkflowHandle[QuoteWorkflow, QuoteState]:
    return client.get_workflow_handle_for(QuoteWorkflow.run, quote_workflow_id(number))


async def call(awaitable: Awaitable[T]) -> T:
    """Awaits a Temporal call, turning its failures into domain errors (one handler renders)."""
    try:
        return await awaitable
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        if isinstance(cause, ApplicationError) and cause.type in _BY_TYPE:
            raise _BY_TYPE[cause.type].from_message(cause.message) from None
        raise Conflict(str(cause or exc)) from None
    except WorkflowAlreadyStartedError:
        raise Conflict("this quote's workflow is already running") from None
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            # Closed workflows refuse messages: the quote has reached its end.
            raise Gone("the quote is closed: it no longer accepts this action") from None
        if exc.status in (
            RPCStatusCode.UNAVAILABLE,
            RPCStatusCode.DEADLINE_EXCEEDED,
            RPCStatusCode.FAILED_PRECONDITION,  # e.g. no worker polling yet
        ):
            raise Unavailable("the workflow engine is unavailable; try again shortly") from None
        raise
