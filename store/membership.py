"""Clusters, members, invitations and clients: the store's side of R1, R2 and §9.

Functions take an open session and never commit: the caller's transaction does.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.bank_accounts import parse_bank_account
from api.schemas import (
    ClientCreate,
    ClusterCreate,
    IdentityUpdate,
    MemberCreate,
    Party,
    SettingsUpdate,
)
from models import catalogue_rules
from models.domain import MemberStatus, OfferStatus
from models.errors import Conflict, Forbidden, NotFound, RuleViolation
from models.identity import IDENTITY_FIELDS
from store.db import claim
from store.tables import Client, Cluster, Invitation, Member, Offer, utcnow


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
        **identity_of(party),
    )
    session.add(member)
    session.flush()
    return Issued(member, key)


def identity_of(payload: IdentityUpdate) -> dict[str, str | None]:
    """The legal identity fields a payload gives (unset ones left out)."""
    return payload.model_dump(include=set(IDENTITY_FIELDS), exclude_unset=True)


def update_identity(row: Member | Client, update: IdentityUpdate) -> None:
    """R20: a new identity for the documents issued from now on; issued ones keep theirs."""
    for name, value in identity_of(update).items():
        setattr(row, name, value)


def record_bank_account(member: Member, iban: str | None, bic: str | None, now: datetime) -> None:
    """The account payouts go to, validated; a change (or its removal) restarts the 48-hour
    hold before the next payout, so a hijacked account cannot be paid at once."""
    if iban is None:
        if bic is not None:
            raise RuleViolation("a BIC needs its IBAN", field="bic")
        new_iban, new_bic = None, None
    else:
        account = parse_bank_account(iban, bic)
        new_iban, new_bic = account.iban, account.bic
    if (new_iban, new_bic) != (member.iban, member.bic):
        member.iban, member.bic, member.bank_changed_at = new_iban, new_bic, now


def apply_settings(cluster: Cluster, update: SettingsUpdate) -> None:
    """Writes the given settings, then checks the split rates still fit in 100 %."""
    for name, value in update.model_dump(exclude_unset=True, exclude_none=True).items():
        if isinstance(value, timedelta):
            value = int(value.total_seconds())
        elif name == "affiliate_rates":
            value = [str(rate) for rate in value]
        elif name == "payout_threshold":
            name = "payout_threshold_cents"
        setattr(cluster, name, value)
    catalogue_rules.check_split_rates(
        cluster.platform_fee_rate, cluster.founder_rate, affiliate_rates_of(cluster)
    )


def affiliate_rates_of(cluster: Cluster) -> tuple[catalogue_rules.Decimal, ...]:
    return tuple(catalogue_rules.Decimal(rate) for rate in cluster.affiliate_rates)


def create_cluster(session: Session, payload: ClusterCreate) -> tuple[Cluster, Issued]:
    defaults = catalogue_rules.ClusterDefaults()
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
        default_tax_rate=defaults.default_tax_rate,
    )
    if payload.settings is not None:
        apply_settings(cluster, payload.settings)
    session.add(cluster)
    session.flush()
    founder = _new_member(session, cluster.id, payload.founder, invited_by=None, founder=True)
    cluster.founder_id = founder.member.id
    return cluster, founder


def invite(session: Session, inviter: Member, email: str, now: datetime) -> tuple[Invitation, str]:
    catalogue_rules.check_not_self_invite(inviter.email, email)
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
    """R1: a valid code creates a member affiliated to the one who invited it, once."""
    invitation = session.scalars(
        select(Invitation).where(Invitation.code_hash == hash_secret(payload.invitation_code))
    ).first()
    if invitation is None:
        raise RuleViolation("unknown invitation code", field="invitation_code")
    _check_usable(session, invitation, now)
    # The code is taken before anything else is written: of redemptions racing, one wins and
    # the others get the answer a later second redemption gets.
    taken = update(Invitation).where(Invitation.id == invitation.id).values(used_at=now)
    won = claim(session, taken, Invitation.used_at.is_(None))
    session.refresh(invitation)
    if not won:
        _check_usable(session, invitation, now)
        raise RuleViolation("this invitation code has already been used", field="invitation_code")
    # One registration at a time per cluster, so that the address check below still holds
    # when the member is written (two codes sent to one address, redeemed at once).
    lock_cluster(session, invitation.cluster_id)
    if _member_with_email(session, invitation.cluster_id, str(payload.email)) is not None:
        raise Conflict("this address already belongs to a member of the cluster", field="email")
    party = Party(
        name=payload.name, company=payload.company, email=payload.email, **identity_of(payload)
    )
    issued = _new_member(
        session, invitation.cluster_id, party, invited_by=invitation.inviter_id, founder=False
    )
    invitation.used_by_id = issued.member.id
    return issued


def _check_usable(session: Session, invitation: Invitation, now: datetime) -> None:
    inviter = session.get_one(Member, invitation.inviter_id)
    catalogue_rules.check_invitation_usable(
        now=now,
        expires_at=invitation.expires_at,
        used_at=invitation.used_at,
        inviter=inviter.status,
    )


def lock_cluster(session: Session, cluster_id: int) -> None:
    """Holds the cluster's row until the transaction ends: a no-op write, which takes the row
    lock on PostgreSQL and the write lock on SQLite (which ignores FOR UPDATE)."""
    session.execute(update(Cluster).where(Cluster.id == cluster_id).values(name=Cluster.name))


def visible_member(session: Session, viewer_cluster_id: int | None, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None or (viewer_cluster_id is not None and member.cluster_id != viewer_cluster_id):
        raise NotFound("member")
    return member


OWNER_REMOVED = "owner removed"


def remove_member(session: Session, founder: Member, member_id: int, now: datetime) -> Member:
    """R2: the member loses its key, once, and its offers leave the catalogue; its affiliates
    stay; its invitations die with it (R1). Its open quotes are the caller's to cancel or block."""
    if not founder.is_founder:
        raise Forbidden("only the cluster's founder can remove a member")
    member = visible_member(session, founder.cluster_id, member_id)
    catalogue_rules.check_removable(
        target_is_founder=member.is_founder, target_status=member.status
    )
    removal = (
        update(Member)
        .where(Member.id == member.id)
        .values(status=MemberStatus.REMOVED, removed_at=now)
    )
    won = claim(session, removal, Member.status == MemberStatus.ACTIVE)
    session.refresh(member)
    if not won:
        raise Conflict("the member is already removed")
    session.execute(
        update(Offer)
        .where(
            Offer.owner_id == member.id,
            Offer.status.in_([OfferStatus.PENDING, OfferStatus.VALIDATED]),
        )
        .values(status=OfferStatus.WITHDRAWN, withdrawn_at=now, withdrawal_reason=OWNER_REMOVED)
    )
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
        **identity_of(payload),
    )
    session.add(client)
    session.flush()
    return client
