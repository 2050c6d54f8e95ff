"""Invitations, registration by code, members and their removal."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import CurrentMember, InvitingMember, ObjectId, PrincipalDep, SessionDep
from api.engine import ConnectionDep, TemporalConnection, tell_member_quotes
from api.errors import refusals
from api.identity_schemas import MemberUpdate
from api.pagination import Cursor, Limit, paginate
from api.schemas import InvitationCreate, MemberCreate
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
from models.errors import Conflict, Forbidden
from store.membership import (
    invite,
    record_bank_account,
    register,
    remove_member,
    update_identity,
    visible_member,
)
from store.removals import open_quotes_of
from store.tables import Invitation, Member, utcnow

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
    payload: MemberUpdate, session: SessionDep, member: CurrentMember
) -> MemberSelf:
    """Your legal identity (R20), printed on the documents issued from now on; the bank
    account your payouts go to, and the VAT regime of their self-billed invoices (R27)."""
    update_identity(member, payload)
    given = payload.model_fields_set
    if "iban" in given or "bic" in given:
        record_bank_account(member, payload.iban, payload.bic, utcnow())
    if "vat_regime" in given:
        member.vat_regime = payload.vat_regime
    session.flush()
    return member_self_view(member)


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


async def _close_open_quotes(
    session: Session, connection: TemporalConnection, member_id: int
) -> None:
    """Cancels the member's open quotes and blocks the lines it supplies to others' (R2), in a
    workflow; the engine is reached only when there is an open quote to tell."""
    has_open = bool(open_quotes_of(session, member_id))
    session.commit()  # the removal stands before the workflow reads the store
    if has_open:
        await tell_member_quotes(connection, member_id)


@router.delete(
    "/members/{member_id:not_me}", response_model=MemberRead, responses=refusals(403, 409)
)
async def remove(
    member_id: ObjectId, session: SessionDep, principal: PrincipalDep, connection: ConnectionDep
) -> MemberRead:
    """Remove a member (founder): its key stops working, its offers are withdrawn, its open
    quotes are cancelled and the open quotes it supplies lines to are blocked."""
    if principal.member is None:
        raise Forbidden("only the cluster's founder can remove a member")
    try:
        member = remove_member(session, principal.member, member_id, utcnow())
    except Conflict:
        # Already removed: a retry after the engine was away finishes what was left.
        await _close_open_quotes(session, connection, member_id)
        raise
    await _close_open_quotes(session, connection, member.id)
    return member_view(member)
