"""A member's statement for a period (R24), as `GET /ledger` answers it and as its PDF prints it:
earnings, commission invoices owed and paid, founder's parts owed or due, each with opening
balance, rows with a running balance, and closing balance."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.fields import Day, SignedMoneyText
from models.documents import LegalIdentity, StatementPdf
from models.errors import RuleViolation
from models.money import format_cents
from models.statements import SECTION_MEANINGS, SECTION_TITLES, StatementKind, StatementSection
from settings import Settings
from store.payouts import balances
from store.statements import member_statement
from store.tables import Cluster, Member

DateFrom = Annotated[
    Day | None, Query(alias="from", description="First day (default: 1st of this month).")
]
DateTo = Annotated[
    Day | None, Query(alias="to", description="Last day, included (default: today).")
]


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """The period asked for, its defaults filled in: this month up to today."""
    end = end or datetime.now(UTC).date()
    start = start or end.replace(day=1)
    if start > end:
        raise RuleViolation(f"must not be after to ({end})", field="from")
    return start, end


def _end_of(day: date) -> datetime:
    """The first instant after the day; the calendar's last day ends at the last instant."""
    if day == date.max:
        return datetime.max.replace(tzinfo=UTC)
    return datetime.combine(day + timedelta(days=1), time(), UTC)


def sections_of(
    session: Session, member: Member, start: date, end: date
) -> tuple[StatementSection, ...]:
    """The statement's sections for whole UTC days, start and end included."""
    return member_statement(session, member, datetime.combine(start, time(), UTC), _end_of(end))


class StatementRowRead(BaseModel):
    at: datetime
    reference: str = Field(description="The commission invoice, credit note or order it is about.")
    invoice: str | None = Field(
        default=None, description="A credit note's row: the commission invoice it credits."
    )
    description: str
    amount: SignedMoneyText = Field(description="Raises the section's balance, or lowers it.")
    balance: SignedMoneyText = Field(description="The section's balance after this row.")


class StatementSectionRead(BaseModel):
    kind: StatementKind
    title: str
    meaning: str = Field(description="What the section's balance counts.")
    opening: SignedMoneyText = Field(description="The balance before the period.")
    rows: list[StatementRowRead]
    closing: SignedMoneyText = Field(description="The balance at the period's end.")


class StatementRead(BaseModel):
    period_from: date
    period_to: date = Field(description="Included.")
    currency: str
    sections: list[StatementSectionRead]


def statement_read(
    sections: tuple[StatementSection, ...], start: date, end: date, currency: str
) -> StatementRead:
    return StatementRead(
        period_from=start,
        period_to=end,
        currency=currency,
        sections=[_section_read(kind) for kind in sections],
    )


def _section_read(kind: StatementSection) -> StatementSectionRead:
    return StatementSectionRead(
        kind=kind.kind,
        title=SECTION_TITLES[kind.kind],
        meaning=SECTION_MEANINGS[kind.kind],
        opening=format_cents(kind.opening_cents),
        rows=[
            StatementRowRead(
                at=row.movement.at,
                reference=row.movement.reference,
                invoice=row.movement.invoice,
                description=row.movement.description,
                amount=format_cents(row.movement.amount_cents),
                balance=format_cents(row.balance_cents),
            )
            for row in kind.rows
        ],
        closing=format_cents(kind.closing_cents),
    )


def statement_view(
    session: Session, member: Member, start: date, end: date, settings: Settings
) -> StatementPdf:
    """The statement PDF's content: the platform and the member with their legal identities."""
    cluster = session.get_one(Cluster, member.cluster_id)
    return StatementPdf(
        member=LegalIdentity(
            member.company,
            member.address or "",
            member.registration_number or "",
            member.vat_id or "",
            member.email,
        ),
        platform=LegalIdentity(
            settings.PLATFORM_LEGAL_NAME,
            settings.PLATFORM_ADDRESS,
            settings.PLATFORM_REGISTRATION,
            settings.PLATFORM_VAT_ID,
        ),
        cluster_name=cluster.name,
        currency=cluster.currency,
        period_from=start,
        period_to=end,
        issued_on=datetime.now(UTC).date(),
        sections=sections_of(session, member, start, end),
        payouts=balances(session, member.cluster_id, _end_of(end), member.id)[member.id].balance,
    )
