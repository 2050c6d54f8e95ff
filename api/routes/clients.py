"""A member's own clients."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from api.contract import links
from api.deps import CurrentMember, ObjectId, PrincipalDep, SessionDep
from api.pagination import Cursor, Limit, paginate
from api.schemas import ClientCreate, IdentityUpdate
from api.views import ClientRead, Page, client_view
from models.errors import NotFound
from store.membership import create_client, update_identity
from store.tables import Client

router = APIRouter(prefix="/clients", tags=["clients"])


@router.post(
    "",
    status_code=201,
    response_model=ClientRead,
    responses=links(201, "client_id", "id", "read_client"),
)
def add_client(payload: ClientCreate, session: SessionDep, member: CurrentMember) -> ClientRead:
    """Add one of your clients (a company outside the cluster)."""
    return client_view(create_client(session, member, payload))


@router.get("", response_model=Page[ClientRead])
def list_clients(
    session: SessionDep, principal: PrincipalDep, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, object]:
    """Your clients (operators: everyone's)."""
    query = select(Client)
    if principal.member is not None:
        query = query.where(Client.owner_id == principal.member.id)
    return paginate(session, query, Client.id, cursor, limit, client_view)


def _visible_client(session: SessionDep, principal: PrincipalDep, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None or (principal.member is not None and client.owner_id != principal.member.id):
        raise NotFound("client")
    return client


@router.get("/{client_id}", response_model=ClientRead)
def read_client(client_id: ObjectId, session: SessionDep, principal: PrincipalDep) -> ClientRead:
    """One of your clients."""
    return client_view(_visible_client(session, principal, client_id))


@router.patch("/{client_id}", response_model=ClientRead)
def update_client_identity(
    client_id: ObjectId, payload: IdentityUpdate, session: SessionDep, member: CurrentMember
) -> ClientRead:
    """Your client's legal identity (R20), printed on the documents issued from now on."""
    client = session.get(Client, client_id)
    if client is None or client.owner_id != member.id:
        raise NotFound("client")
    update_identity(client, payload)
    session.flush()
    return client_view(client)
