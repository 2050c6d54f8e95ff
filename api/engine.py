"""Temporal calls from the API, and how their failures read over HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import timedelta
from typing import TypeVar

from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
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
    TooManyRequests,
    Unavailable,
)
from models.quote_payloads import QuoteState
from settings import Settings
from workflows.connection import connect_temporal
from workflows.quote import QuoteWorkflow

T = TypeVar("T")
log = logging.getLogger("arkanna.api")

# A query runs on a worker: when none is there, the reader gets a 503 after this long.
QUERY_TIMEOUT = timedelta(seconds=10)

UNAVAILABLE = "the workflow engine is unavailable; try again shortly"
BUSY = "busy: too many requests on this quote or invoice at once; try again shortly"
# A healthy server refuses past its limits on one workflow (`history.maxInFlightUpdates`
# updates in flight, queries waiting on a busy task) with RESOURCE_EXHAUSTED, once the client's
# own retries (about 14 s) are spent: a 429, since the engine is there and answering.
BUSY_RETRY_AFTER_SECONDS = 1
# Statuses that say "not now" rather than "never": a query waiting on a workflow task that no
# worker runs ends CANCELLED (its deadline).
_TRANSIENT = frozenset(
    {
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.CANCELLED,
        RPCStatusCode.FAILED_PRECONDITION,  # e.g. no worker polling yet
    }
)

# Update rejections carry the rule's error type; the API answers with that error's status.
_BY_TYPE: dict[str, type[DomainError]] = {
    "RuleViolation": RuleViolation,
    "Forbidden": Forbidden,
    "Conflict": Conflict,
    "NotFound": NotFound,
}


def quote_handle(client: Client, number: str) -> WorkflowHandle[QuoteWorkflow, QuoteState]:
    return client.get_workflow_handle_for(QuoteWorkflow.run, quote_workflow_id(number))


async def quote_state(client: Client, number: str) -> QuoteState:
    """The quote as its workflow holds it (a query); 503 when no worker answers in time."""
    query = quote_handle(client, number).query(QuoteWorkflow.get_state, rpc_timeout=QUERY_TIMEOUT)
    return await call(query)


async def call(awaitable: Awaitable[T]) -> T:
    """Awaits a Temporal call, turning its failures into domain errors (one handler renders)."""
    try:
        return await awaitable
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        if isinstance(cause, ApplicationError) and cause.type in _BY_TYPE:
            raise _BY_TYPE[cause.type].from_message(cause.message) from None
        raise Conflict(str(cause or exc)) from None
    except WorkflowUpdateRPCTimeoutOrCancelledError as exc:
        # The message may still land; decisions and answers are idempotent, so a retry is safe.
        log.warning("workflow engine did not answer in time: %s", exc.cause or exc)
        raise Unavailable(UNAVAILABLE) from None
    except WorkflowAlreadyStartedError:
        raise Conflict("this quote's workflow is already running") from None
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            # Closed workflows refuse messages: the quote has reached its end.
            raise Gone("the quote is closed: it no longer accepts this action") from None
        if exc.status == RPCStatusCode.RESOURCE_EXHAUSTED:
            log.warning("workflow busy: %s", exc.message)
            raise TooManyRequests(BUSY, retry_after=BUSY_RETRY_AFTER_SECONDS) from None
        if exc.status in _TRANSIENT:
            log.warning("workflow engine unavailable: %s %s", exc.status.name, exc.message)
            raise Unavailable(UNAVAILABLE) from None
        raise


class TemporalConnection:
    """One Temporal client for the process, connected on first use and shared by every route."""

    def __init__(self, settings: Settings, client: Client | None = None) -> None:
        self._settings = settings
        self._client = client
        self._lock = asyncio.Lock()

    async def get(self) -> Client:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    try:
                        self._client = await connect_temporal(self._settings)
                    except Exception as exc:
                        raise Unavailable("the workflow engine is unavailable") from exc
        return self._client
