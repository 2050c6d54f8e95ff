"""The commission ledger: postings and balances, and a member's statement PDF for a period."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.contract import pdf_answer
from api.deps import ObjectId, PrincipalDep, SessionDep
from api.errors import refusals
from api.fields import Day, MoneyText, SignedMoneyText
from api.names import look_up
from api.pagination import Cursor, Limit, paginate
from api.quote_views import MemberName
from api.views import Page
from documents.render import render_statement_pdf
from models.catalogue_rules import MAX_ID
from models.commission import member_account
from models.documents import PartyView, StatementEntryView, StatementPdf
from models.errors import NotFound, RuleViolation
from models.money import format_cents
from store.ledger import account_balances, balance, entries_between
from store.membership import visible_member
from store.tables import Cluster, LedgerEntry, Member

router = APIRouter(tags=["ledger"])

MemberFilter = Annotated[
    int | None, Query(gt=0, le=MAX_ID, description="Operators: one member's account.")
]


class EntryRead(BaseModel):
    id: int
    posted_at: datetime
    invoice_number: str
    member_id: int | None
    member: MemberName | None = Field(default=None, description="null for the platform.")
    role: str
    debit_account: str
    credit_account: str
    amount: MoneyText
    reverses_id: int | None
    memo: str


def _entry(entry: LedgerEntry) -> EntryRead:
    return EntryRead(
        id=entry.id,
        posted_at=entry.posted_at,
        invoice_number=entry.invoice_number,
        member_id=entry.member_id,
        role=entry.role,
        debit_account=entry.debit_account,
        credit_account=entry.credit_account,
        amount=format_cents(entry.amount_cents),
        reverses_id=entry.reverses_id,
        memo=entry.memo,
    )


def _named(session: Session, page: dict[str, Any]) -> dict[str, Any]:
    """Names the members of a page of entries, in one query."""
    entries: list[EntryRead] = page["items"]
    names = look_up(session, [e.member_id for e in entries])
    for entry in entries:
        entry.member = names.member(entry.member_id)
    return page


def _owned_member(session: Session, principal: PrincipalDep, member_id: int) -> Member:
    """A member reads only its own ledger; another id answers like a missing one."""
    if principal.member is not None and principal.member.id != member_id:
        raise NotFound("member")
    return visible_member(session, principal.cluster_id, member_id)


class AccountRead(BaseModel):
    account: str
    balance: SignedMoneyText


class LedgerRead(Page[EntryRead]):
    account: str | None = Field(None, description="The account shown, when there is one.")
    balance: SignedMoneyText | None = Field(None, description="Its credits minus debits.")
    accounts: list[AccountRead] = Field([], description="Operators: every account's balance.")


@router.get("/ledger", response_model=LedgerRead, responses=refusals(404))
def read_ledger(
    session: SessionDep,
    principal: PrincipalDep,
    member_id: MemberFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Your postings and balance (operators: every account, or one member's with member_id)."""
    query = select(LedgerEntry)
    viewer = principal.member
    target = member_id if member_id is not None else (viewer.id if viewer else None)
    if target is None:
        page = _named(session, paginate(session, query, LedgerEntry.id, cursor, limit, _entry))
        balances = account_balances(session).items()
        return {
            **page,
            "accounts": [AccountRead(account=a, balance=format_cents(b)) for a, b in balances],
        }
    account = member_account(_owned_member(session, principal, target).id)
    query = query.where(
        or_(LedgerEntry.credit_account == account, LedgerEntry.debit_account == account)
    )
    page = _named(session, paginate(session, query, LedgerEntry.id, cursor, limit, _entry))
    return {**page, "account": account, "balance": format_cents(balance(session, account))}


DateFrom = Annotated[
    Day | None, Query(alias="from", description="First day (default: 1st of this month).")
]
DateTo = Annotated[
    Day | None, Query(alias="to", description="Last day, included (default: today).")
]


@router.get(
    "/members/{member_id}/statement.pdf",
    response_class=Response,
    responses=pdf_answer("The statement as PDF."),
)
def statement_pdf(
    member_id: ObjectId,
    session: SessionDep,
    principal: PrincipalDep,
    start: DateFrom = None,
    end: DateTo = None,
) -> Response:
    """A member's statement for a period: opening balance, postings, closing balance."""
    member = _owned_member(session, principal, member_id)
    end = end or datetime.now(UTC).date()
    start = start or end.replace(day=1)
    if start > end:
        raise RuleViolation(f"must not be after to ({end})", field="from")
    pdf = statement_view(session, member, start, end)
    filename = f"statement-{member.id}-{start}-{end}.pdf"
    return Response(
        render_statement_pdf(pdf),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _end_of(day: date) -> datetime:
    """The first instant after the day; the calendar's last day ends at the last instant."""
    if day == date.max:
        return datetime.max.replace(tzinfo=UTC)
    return datetime.combine(day + timedelta(days=1), time(), UTC)


def statement_view(session: Session, member: Member, start: date, end: date) -> StatementPdf:
    account = member_account(member.id)
    since = datetime.combine(start, time(), UTC)
    until = _end_of(end)
    opening = balance(session, account, before=since)
    entries = tuple(
        StatementEntryView(
            entry.posted_at.date(),
            ("Clawback of " if entry.reverses_id else "Commission: ") + f"{entry.role} share",
            entry.invoice_number,
            entry.amount_cents if entry.credit_account == account else -entry.amount_cents,
        )
        for entry in entries_between(session, account, since, until)
    )
    cluster = session.get_one(Cluster, member.cluster_id)
    return StatementPdf(
        member=PartyView(member.name, member.company, member.email),
        cluster_name=cluster.name,
        currency=cluster.currency,
        period_from=start,
        period_to=end,
        opening_balance_cents=opening,
        closing_balance_cents=opening + sum(e.amount_cents for e in entries),
        entries=entries,
    )
