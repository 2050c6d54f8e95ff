"""Invitations, registration by code, members and their removal."""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import CurrentMember, InvitingMember, ObjectId, PrincipalDep, SessionDep
from api.engine import call, quote_handle
from api.errors import refusals
from api.pagination import Cursor, Limit, paginate
from api.schemas import IdentityUpdate, InvitationCreate, MemberCreate
from api.views import (
    InvitationCreated,
    InvitationRead,
    MemberCreated,
    MemberRead,
    MemberSelf,
    Page,
    member_self_view,
    member_view,
)
from models.domain import TERMINAL_QUOTE_STATUSES
from models.errors import Conflict, Forbidden, Gone
from models.quote_payloads import CancelInput, SupplierRemovedInput
from store.membership import invite, register, remove_member, update_identity, visible_member
from store.tables import Invitation, Member, Quote, QuoteLine, utcnow
from workflows.quote import QuoteWorkflow

router = APIRouter(tags=["members"])


@router.post(
    "/invitations", status_code=201, response_model=InvitationCreated, responses=refusals(409)
)
def create_invitation(
    payload: InvitationCreate, session: SessionDep, member: InvitingMember
) -> InvitationCreated:
    """Invite a contact: the single-use code is shown once and expires (invitation_ttl)."""
    invitation, code = invite(session, member, str(payload.email), utcnow())
    return InvitationCreated(code=code, expires_at=invitation.expires_at)


@router.get("/invitations", response_model=Page[InvitationRead])
def list_invitations(
    session: SessionDep, member: CurrentMember, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, object]:
    """Own invitations; the founder sees everyone's, to know who is being invited."""
    query = select(Invitation).where(Invitation.cluster_id == member.cluster_id)
    if not member.is_founder:
        query = query.where(Invitation.inviter_id == member.id)
    return paginate(
        session,
        query,
        Invitation.id,
        cursor,
        limit,
        lambda i: InvitationRead(
            id=i.id,
            email=i.email,
            inviter_id=i.inviter_id,
            expires_at=i.expires_at,
            used=i.used_at is not None,
        ),
    )


@router.post("/members", status_code=201, response_model=MemberCreated, responses=refusals(409))
def join_cluster(payload: MemberCreate, session: SessionDep) -> MemberCreated:
    """Register with an invitation code; the new member is affiliated to its inviter."""
    issued = register(session, payload, utcnow())
    member = issued.member
    assert member.invited_by_id is not None
    return MemberCreated(
        id=member.id,
        api_key=issued.api_key,
        invited_by=member.invited_by_id,
        cluster_id=member.cluster_id,
    )


@router.get("/members/me", response_model=MemberSelf)
def read_me(member: CurrentMember) -> MemberSelf:
    """The calling member, and the identity fields it has still to give."""
    return member_self_view(member)


@router.patch("/members/me", response_model=MemberSelf)
def update_my_identity(
    payload: IdentityUpdate, session: SessionDep, member: CurrentMember
) -> MemberSelf:
    """Your legal identity (R20), printed on the documents issued from now on."""
    update_identity(member, payload)
    session.flush()
    return member_self_view(member)


async def _cancel_open_quotes(session: Session, request: Request, seller_id: int) -> None:
    """R2: cancels the seller's quotes still open; connects only when there is one."""
    open_quotes = session.scalars(
        select(Quote.number).where(
            Quote.seller_id == seller_id, Quote.status.not_in(list(TERMINAL_QUOTE_STATUSES))
        )
    ).all()
    session.commit()  # end the read before the worker writes
    for number in open_quotes:
        client = await request.app.state.temporal.get()
        # Gone already (answered or ended meanwhile) is fine: nothing left to cancel.
        with contextlib.suppress(Conflict, Gone):
            await call(
                quote_handle(client, number).execute_update(
                    QuoteWorkflow.cancel, CancelInput("seller removed", None)
                )
            )


@router.get("/members", response_model=Page[MemberRead])
def list_members(
    session: SessionDep, principal: PrincipalDep, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, object]:
    """Members of the caller's cluster (every cluster for operators)."""
    query = select(Member)
    if principal.cluster_id is not None:
        query = query.where(Member.cluster_id == principal.cluster_id)
    return paginate(session, query, Member.id, cursor, limit, member_view)


@router.get("/members/{member_id:not_me}", response_model=MemberRead)
def read_member(member_id: ObjectId, session: SessionDep, principal: PrincipalDep) -> MemberRead:
    """A member of the caller's cluster."""
    return member_view(visible_member(session, principal.cluster_id, member_id))


async def _block_supplied_quotes(session: Session, request: Request, member_id: int) -> None:
    """Tells each open quote of another seller with lines of the removed supplier: its
    workflow blocks those lines until the seller revises. A signal is durable and repeatable."""
    supplied = session.scalars(
        select(Quote.number)
        .join(
            QuoteLine,
            (QuoteLine.quote_number == Quote.number) & (QuoteLine.revision == Quote.revision),
        )
        .where(
            QuoteLine.supplier_id == member_id,
            Quote.seller_id != member_id,
            Quote.status.not_in(list(TERMINAL_QUOTE_STATUSES)),
        )
        .distinct()
    ).all()
    session.commit()
    for number in supplied:
        client = await request.app.state.temporal.get()
        with contextlib.suppress(Gone):  # ended meanwhile: nothing left to block
            await call(
                quote_handle(client, number).signal(
                    QuoteWorkflow.supplier_removed, SupplierRemovedInput(member_id)
                )
            )


async def _close_open_quotes(session: Session, request: Request, member_id: int) -> None:
    await _cancel_open_quotes(session, request, member_id)
    await _block_supplied_quotes(session, request, member_id)


@router.delete(
    "/members/{member_id:not_me}", response_model=MemberRead, responses=refusals(403, 409)
)
async def remove(
    member_id: ObjectId, session: SessionDep, principal: PrincipalDep, request: Request
) -> MemberRead:
    """Remove a member (founder): its key stops working, its offers are withdrawn, its open
    quotes are cancelled and the open quotes it supplies lines to are blocked."""
    if principal.member is None:
        raise Forbidden("only the cluster's founder can remove a member")
    try:
        member = remove_member(session, principal.member, member_id, utcnow())
    except Conflict:
        # Already removed: a retry after the engine was away finishes what was left.
        await _close_open_quotes(session, request, member_id)
        raise
    # The removal stands before the quotes are told: the worker writes their outcome to the
    # store, and a writer waiting on this request's open transaction would never finish.
    session.commit()
    await _close_open_quotes(session, request, member.id)
    return member_view(member)
