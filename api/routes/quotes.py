"""Quotes: launched by a seller, decided by suppliers, revised, cancelled; the PDF."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import FileResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api import engine
from api.contract import links, pdf_answer
from api.deps import (
    BusinessNumber,
    CurrentMember,
    OneAtATimeDep,
    PrincipalDep,
    SessionDep,
    SessionFactoryDep,
    SettingsDep,
    release,
)
from api.engine import TemporalDep, quote_state
from api.errors import refusals
from api.names import look_up
from api.pagination import Cursor, Limit, paginate
from api.quote_views import QuoteRead, QuoteSummary, can_see, quote_summary, quote_view
from api.schemas import CancelIn, DecisionIn, QuoteContent, QuoteCreate
from api.views import Page
from api.waiting import WaitSeconds
from documents.render import DocumentStore
from models.approvals import initial_state
from models.domain import QuoteStatus
from models.errors import Conflict, Forbidden, NotFound, RuleViolation
from models.money import format_cents
from models.quote_payloads import CancelInput, DecisionInput, QuoteInput, QuoteState, RevisionInput
from settings import Settings
from store.awaiting import awaiting as awaiting_decision
from store.db import transaction
from store.parts import quote_parts
from store.quotes import (
    build_revision,
    create_quote,
    find_idempotent,
    get_visible_quote,
    stored_start_input,
    suppliers_of,
    visible_quotes,
)
from store.tables import Member, Quote, utcnow

router = APIRouter(prefix="/quotes", tags=["quotes"])

IdempotencyKey = Annotated[
    str | None,
    Header(max_length=200, description="Retry-safe creation: same key and body, same quote."),
]


def _record(
    factory: sessionmaker[Session], seller_id: int, payload: QuoteCreate, key: str | None
) -> tuple[QuoteInput, bool]:
    """The quote's workflow input, and whether this request created it."""
    for attempt in range(2):
        try:
            with transaction(factory) as session:
                seller = session.get_one(Member, seller_id)
                existing = find_idempotent(session, seller, key, payload)
                if existing is not None:
                    return stored_start_input(existing), False
                return create_quote(session, seller, payload, key, utcnow())[1], True
        except IntegrityError:
            # A concurrent request with the same key won the race: answer with its quote.
            if attempt == 1 or key is None:
                raise
    raise AssertionError("unreachable")


@router.post(
    "",
    status_code=201,
    response_model=QuoteRead,
    responses={
        **refusals(409, 410),
        **links(201, "number", "number", "read_quote", "decide", "revise", "cancel"),
    },
)
async def launch_quote(
    payload: QuoteCreate,
    member: CurrentMember,
    factory: SessionFactoryDep,
    settings: SettingsDep,
    client: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> QuoteRead:
    """Launch a quote to one of your clients; every supplier on it is asked to approve."""
    start, fresh = await asyncio.to_thread(_record, factory, member.id, payload, idempotency_key)
    await engine.start_quote(client, settings, start)
    if fresh:
        # Answer at once from the input: no wait for the worker's first workflow task.
        return _view(initial_state(start), member.id, settings)
    state = await quote_state(client, start.number)
    return _view(state, member.id, settings)


def _view(state: QuoteState, viewer_id: int | None, settings: Settings) -> QuoteRead:
    assert settings.SECRET_KEY is not None
    return quote_view(
        state, viewer_id, secret=settings.SECRET_KEY, base_url=settings.PUBLIC_BASE_URL
    )


Awaiting = Annotated[
    Literal["me"] | None,
    Query(description='"me": only the quotes whose current revision waits on your decision.'),
]


@router.get("", response_model=Page[QuoteSummary])
def list_quotes(
    session: SessionDep,
    principal: PrincipalDep,
    status: QuoteStatus | None = None,
    awaiting: Awaiting = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Quotes you sell or supply (operators: all), newest numbers last; a supplier reads its
    own part of each, not the total."""
    query = visible_quotes(principal.member)
    if status is not None:
        query = query.where(Quote.status == status)
    if awaiting is not None:
        if principal.member is None:
            raise RuleViolation("only a member has decisions to make", field="awaiting")
        query = query.where(awaiting_decision(principal.member))
    page = paginate(session, query, Quote.number, cursor, limit, quote_summary)
    viewer = principal.member
    if viewer is not None:
        supplied = [item for item in page["items"] if item.seller_id != viewer.id]
        parts = quote_parts(session, viewer.id, [item.number for item in supplied])
        for item in supplied:
            item.total = None
            item.part = format_cents(parts.get(item.number, 0))
    _name_page(session, page["items"])
    return page


def _name_page(session: Session, items: list[QuoteSummary]) -> None:
    """Names each quote's seller and client company, in one query for the page."""
    names = look_up(session, [q.seller_id for q in items], [q.client_id for q in items])
    for item in items:
        item.seller = names.member(item.seller_id)
        item.client_company = names.clients.get(item.client_id)


def _check_visible(session: Session, principal: PrincipalDep, number: str) -> None:
    """A store read: the quote exists and the caller has a part in it (404 otherwise)."""
    get_visible_quote(session, principal.member, number)
    release(session)


async def _visible_state(
    session: Session, client: TemporalDep, principal: PrincipalDep, number: str
) -> QuoteState:
    _check_visible(session, principal, number)
    return await _live_state(client, principal, number)


async def _live_state(client: TemporalDep, principal: PrincipalDep, number: str) -> QuoteState:
    state = await quote_state(client, number)
    if not can_see(state, None if principal.member is None else principal.member.id):
        raise NotFound("quote")  # the workflow is a revision ahead of the store
    return state


WaitFor = Annotated[
    QuoteStatus | None,
    Query(
        description="Hold the answer until the quote has this status or has ended, for at most "
        "`wait` seconds: one long read instead of many short ones."
    ),
]


@router.get("/{number}", response_model=QuoteRead, responses=refusals(410))
async def read_quote(
    number: BusinessNumber,
    session: SessionDep,
    principal: PrincipalDep,
    client: TemporalDep,
    settings: SettingsDep,
    wait_for: WaitFor = None,
    wait: WaitSeconds = 20,
) -> QuoteRead:
    """The live state of a quote; suppliers see their own lines only."""
    _check_visible(session, principal, number)
    release(session)  # the one transaction of this read: nothing is held while it waits
    if wait_for is None:
        state = await quote_state(client, number)
    else:
        seconds = min(wait, settings.MAX_WAIT_SECONDS)
        state = await engine.wait_quote(client, number, wait_for.value, seconds)
    if not can_see(state, None if principal.member is None else principal.member.id):
        raise NotFound("quote")  # the workflow is a revision ahead of the store
    return _view(state, principal.member.id if principal.member else None, settings)


@router.post("/{number}/decisions", response_model=QuoteRead, responses=refusals(409, 410))
async def decide(
    number: BusinessNumber,
    payload: DecisionIn,
    session: SessionDep,
    member: CurrentMember,
    principal: PrincipalDep,
    client: TemporalDep,
    settings: SettingsDep,
    serial: OneAtATimeDep,
) -> QuoteRead:
    """Approve or reject your lines of the current revision."""
    _check_visible(session, principal, number)
    decision = DecisionInput(member.id, payload.revision, payload.decision, payload.comment)
    # A supplier's copies of one decision meet the quote one by one: the later ones get 409.
    async with serial.hold(("decision", number, member.id)):
        state = await engine.decide(client, number, decision)
    return _view(state, member.id, settings)


@router.post("/{number}/revisions", response_model=QuoteRead, responses=refusals(403, 409, 410))
async def revise(
    number: BusinessNumber,
    payload: QuoteContent,
    session: SessionDep,
    member: CurrentMember,
    principal: PrincipalDep,
    client: TemporalDep,
    settings: SettingsDep,
) -> QuoteRead:
    """Revise a quote that needs changes; unchanged suppliers keep their approval."""
    state = await _visible_state(session, client, principal, number)
    # Who may revise, and when, is the workflow's rule (its validator answers 403 or 409).
    revision = build_revision(session, member, payload, state.revision + 1)
    message = RevisionInput(member.id, revision, suppliers_of(session, revision.lines))
    release(session)
    state = await engine.revise(client, number, message)
    return _view(state, member.id, settings)


@router.post("/{number}/cancel", response_model=QuoteRead, responses=refusals(403, 409, 410))
async def cancel(
    number: BusinessNumber,
    payload: CancelIn,
    session: SessionDep,
    principal: PrincipalDep,
    client: TemporalDep,
    settings: SettingsDep,
) -> QuoteRead:
    """Cancel a quote before acceptance (its seller or an operator)."""
    _check_visible(session, principal, number)
    viewer = principal.member.id if principal.member else None
    message = CancelInput(payload.reason, viewer)
    state = await engine.cancel_quote(client, number, message)
    return _view(state, viewer, settings)


@router.get(
    "/{number}/pdf",
    response_class=Response,
    responses={**pdf_answer("The PDF sent to the client."), **refusals(403, 409, 410)},
)
async def quote_pdf(
    number: BusinessNumber,
    session: SessionDep,
    principal: PrincipalDep,
    client: TemporalDep,
    settings: SettingsDep,
) -> FileResponse:
    """The PDF sent to the client (seller and operators)."""
    state = await _visible_state(session, client, principal, number)
    if principal.member is not None and principal.member.id != state.seller_id:
        raise Forbidden("only the quote's seller or an operator downloads its PDF")
    if state.document_key is None:
        raise Conflict("the quote has not been sent yet: there is no PDF")
    path = DocumentStore(settings.DOCUMENTS_DIR).path(state.document_key)
    return FileResponse(
        path, media_type="application/pdf", filename=f"{number}-r{state.revision}.pdf"
    )
