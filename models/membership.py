"""Clusters, members, invitations and clients: the store's side of R1, R2 and §9.

Functions take an open session and never commit: the caller's transaction does.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import rules
from models.domain import MemberStatus
from models.errors import Conflict, Forbidden, NotFound, RuleViolation
from models.schemas import ClientCreate, ClusterCreate, MemberCreate, Party, SettingsUpdate
from models.tables import Client, Cluster, Invitation, Member, utcnow


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_secret(secret: str) -> str:
    # Keys and codes are long random strings: a plain SHA-256 is enough and allows lookup.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Issued:
    """A row and the secret created with it, shown to its owner exactly once."""

    member: Member
    api_key: str


def _new_member(
    session: Session, cluster_id: int, party: Party, *, invited_by: int | None, founder: bool
) -> Issued:
    key = new_secret("ak")
    member = Member(
        cluster_id=cluster_id,
        name=party.name,
        company=party.company,
        email=str(party.email),
        invited_by_id=invited_by,
        is_founder=founder,
        api_key_hash=hash_secret(key),
    )
    session.add(member)
    session.flush()
    return Issued(member, key)


def apply_settings(cluster: Cluster, update: SettingsUpdate) -> None:
    """Writes the given settings, then checks the split rates still fit in 100 %."""
    for name, value in update.model_dump(exclude_unset=True, exclude_none=True).items():
        if isinstance(value, timedelta):
            value = int(value.total_seconds())
        elif name == "affiliate_rates":
            value = [str(rate) for rate in value]
        setattr(cluster, name, value)
    rules.check_split_rates(
        cluster.platform_fee_rate, cluster.founder_rate, affiliate_rates_of(cluster)
    )


def affiliate_rates_of(cluster: Cluster) -> tuple[rules.Decimal, ...]:
    return tuple(rules.Decimal(rate) for rate in cluster.affiliate_rates)


def create_cluster(session: Session, payload: ClusterCreate) -> tuple[Cluster, Issued]:
    defaults = rules.ClusterDefaults()
    cluster = Cluster(
        name=payload.name,
        currency=payload.currency,
        approval_timeout=defaults.approval_timeout,
        reminder_interval=defaults.reminder_interval,
        revision_timeout=defaults.revision_timeout,
        validity=defaults.validity,
        payment_terms=defaults.payment_terms,
        invitation_ttl=defaults.invitation_ttl,
        platform_fee_rate=defaults.platform_fee_rate,
        founder_rate=defaults.founder_rate,
        affiliate_rates=[str(rate) for rate in defaults.affiliate_rates],
    )
    if payload.settings is not None:
        apply_settings(cluster, payload.settings)
    session.add(cluster)
    session.flush()
    founder = _new_member(session, cluster.id, payload.founder, invited_by=None, founder=True)
    cluster.founder_id = founder.member.id
    return cluster, founder


def invite(session: Session, inviter: Member, email: str, now: datetime) -> tuple[Invitation, str]:
    rules.check_not_self_invite(inviter.email, email)
    cluster = session.get_one(Cluster, inviter.cluster_id)
    if _member_with_email(session, inviter.cluster_id, email) is not None:
        raise Conflict("this address already belongs to a member of the cluster", field="email")
    code = new_secret("inv")
    invitation = Invitation(
        cluster_id=inviter.cluster_id,
        inviter_id=inviter.id,
        email=email,
        code_hash=hash_secret(code),
        created_at=now,
        expires_at=now + timedelta(seconds=cluster.invitation_ttl),
    )
    session.add(invitation)
    session.flush()
    return invitation, code


def _member_with_email(session: Session, cluster_id: int, email: str) -> Member | None:
    return session.scalars(
        select(Member).where(
            Member.cluster_id == cluster_id,
            # Addresses are compared case-insensitively: Bob@X.example is bob@x.example.
            func.lower(Member.email) == email.lower(),
            Member.status == MemberStatus.ACTIVE,
        )
    ).first()


def register(session: Session, payload: MemberCreate, now: datetime) -> Issued:
    """R1: a valid code creates a member affiliated to the one who invited it."""
    invitation = session.scalars(
        select(Invitation)
        .where(Invitation.code_hash == hash_secret(payload.invitation_code))
        .with_for_update()
    ).first()
    if invitation is None:
        raise RuleViolation("unknown invitation code", field="invitation_code")
    inviter = session.get_one(Member, invitation.inviter_id)
    rules.check_invitation_usable(
        now=now,
        expires_at=invitation.expires_at,
        used_at=invitation.used_at,
        inviter=inviter.status,
    )
    if _member_with_email(session, invitation.cluster_id, str(payload.email)) is not None:
        raise Conflict("this address already belongs to a member of the cluster", field="email")
    party = Party(name=payload.name, company=payload.company, email=payload.email)
    issued = _new_member(
        session, invitation.cluster_id, party, invited_by=inviter.id, founder=False
    )
    invitation.used_at = now
    invitation.used_by_id = issued.member.id
    return issued


def visible_member(session: Session, viewer_cluster_id: int | None, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None or (viewer_cluster_id is not None and member.cluster_id != viewer_cluster_id):
        raise NotFound("member")
    return member


def remove_member(session: Session, founder: Member, member_id: int, now: datetime) -> Member:
    """R2: the member loses its key; its affiliates stay; open quotes are cancelled by the caller."""
    if not founder.is_founder:
        raise Forbidden("only the cluster's founder can remove a member")
    member = visible_member(session, founder.cluster_id, member_id)
    rules.check_removable(target_is_founder=member.is_founder, target_status=member.status)
    member.status = MemberStatus.REMOVED
    member.removed_at = now
    return member


def inviter_chain(session: Session, member_id: int, depth: int) -> list[int | None]:
    """The member's inviter, the inviter's inviter, …; a removed one is None (it earns nothing)."""
    chain: list[int | None] = []
    member = session.get_one(Member, member_id)
    while len(chain) < depth and member.invited_by_id is not None:
        member = session.get_one(Member, member.invited_by_id)
        chain.append(member.id if member.status is MemberStatus.ACTIVE else None)
    return chain


def create_client(session: Session, owner: Member, payload: ClientCreate) -> Client:
    client = Client(
        cluster_id=owner.cluster_id,
        owner_id=owner.id,
        company=payload.company,
        contact_name=payload.contact_name,
        email=str(payload.email),
        created_at=utcnow(),
    )
    session.add(client)
    session.flush()
    return client
