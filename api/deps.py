"""Dependencies shared by the routes, as Annotated aliases."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.convertors import StringConvertor, register_url_convertor

from api.limits import Limits, refuse_if_over
from api.one_at_a_time import OneAtATime
from models.catalogue_rules import MAX_ID
from models.domain import MemberStatus
from models.errors import Forbidden, Unauthorized
from settings import Settings
from store.db import transaction
from store.membership import hash_secret
from store.tables import Member

# A row id in a path: larger numbers name nothing and are refused before any query.
ObjectId = Annotated[int, Path(gt=0, le=MAX_ID, description="Id of the object.")]
# A business number in a path (Q-2026-00001): other text names nothing and is refused before any
# query, control characters included (PostgreSQL refuses a NUL in a string outright).
NUMBER_PATTERN = r"^[A-Za-z0-9-]+$"
BusinessNumber = Annotated[
    str, Path(max_length=40, pattern=NUMBER_PATTERN, description="Business number: Q-2026-00001.")
]


class NotMeConvertor(StringConvertor):
    """A path segment other than `me`: `/members/me` is a route of its own, so a method it lacks
    is a 405 there, not an id that fails validation on `/members/{member_id}`."""

    regex = "(?!me$)[^/]+"


register_url_convertor("not_me", NotMeConvertor())

bearer = HTTPBearer(auto_error=False, description="An API key: the operator's or a member's.")


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with transaction(factory) as session:
        yield session


def release(session: Session) -> None:
    """Ends the request's read and hands its connection back to the pool before an await on
    the workflow engine: connections held idle across such awaits starve the pool under load,
    and the next request would then block the event loop waiting for one."""
    session.commit()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": commit before the response leaves, so a key just issued works at once.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the operator (member is None) or a member."""

    member: Member | None

    @property
    def is_operator(self) -> bool:
        return self.member is None

    @property
    def cluster_id(self) -> int | None:
        """The only cluster this caller may see; None for the operator, who sees all."""
        return None if self.member is None else self.member.cluster_id


def get_limits(request: Request) -> Limits:
    limits: Limits = request.app.state.limits
    return limits


def client_address(request: Request) -> str:
    """The caller's IP: the peer's, or what a proxy named in FORWARDED_ALLOW_IPS forwarded."""
    return request.client.host if request.client else "unknown"


LimitsDep = Annotated[Limits, Depends(get_limits)]


def get_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limits: LimitsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    # A valid key always gets in: offices and NATs put many callers behind one address, and
    # one of them guessing must not lock the others out. Only failures are counted, and past
    # the limit they get 429 instead of 401.
    try:
        return _authenticate(session, settings, credentials)
    except Unauthorized:
        what = "failed authentications from your address"
        refuse_if_over(limits.auth_failures, client_address(request), what)
        raise


def _authenticate(
    session: Session, settings: Settings, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("missing API key: send Authorization: Bearer <key>")
    key = credentials.credentials
    if settings.OPERATOR_KEY and hmac.compare_digest(key.encode(), settings.OPERATOR_KEY.encode()):
        return Principal(member=None)
    member = session.scalars(select(Member).where(Member.api_key_hash == hash_secret(key))).first()
    if member is None or member.status != MemberStatus.ACTIVE:
        raise Unauthorized("invalid API key")
    release(session)  # a route may await the engine, or open its own transaction, next
    return Principal(member=member)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_member(principal: PrincipalDep) -> Member:
    if principal.member is None:
        raise Forbidden("this action is for cluster members, not the operator")
    return principal.member


def get_operator(principal: PrincipalDep) -> Principal:
    if not principal.is_operator:
        raise Forbidden("only an Arkanna operator can do this")
    return principal


CurrentMember = Annotated[Member, Depends(get_member)]
OperatorDep = Annotated[Principal, Depends(get_operator)]


def limit_client_links(request: Request, limits: LimitsDep) -> None:
    """Signed links are public: a flood from one address must not reach the workflows."""
    refuse_if_over(limits.client_links, client_address(request), "requests from your address")


def limit_invitations(member: CurrentMember, limits: LimitsDep) -> Member:
    """Each invitation is a live way into the cluster: attempts are capped per inviting member."""
    refuse_if_over(limits.invitations, str(member.id), "invitations from you")
    return member


InvitingMember = Annotated[Member, Depends(limit_invitations)]


def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def get_one_at_a_time(request: Request) -> OneAtATime:
    serial: OneAtATime = request.app.state.one_at_a_time
    return serial


SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]
OneAtATimeDep = Annotated[OneAtATime, Depends(get_one_at_a_time)]
