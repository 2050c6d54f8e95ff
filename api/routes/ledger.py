"""The commission ledger: postings and balances, and a member's statement for a period (R24)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.contract import pdf_answer
from api.deps import ObjectId, PrincipalDep, SessionDep, SettingsDep
from api.errors import refusals
from api.fields import MoneyText, SignedMoneyText
from api.names import look_up
from api.pagination import Cursor, Limit, paginate
from api.quote_views import MemberName
from api.statement_views import (
    DateFrom,
    DateTo,
    StatementRead,
    period,
    sections_of,
    statement_read,
    statement_view,
)
from api.views import Page
from documents.render import render_statement_pdf
from models.catalogue_rules import MAX_ID
from models.commission import member_account
from models.errors import NotFound
from models.money import format_cents
from store.ledger import account_balances, balance
from store.membership import visible_member
from store.payouts import balances
from store.tables import Cluster, LedgerEntry, Member, utcnow

router = APIRouter(tags=["ledger"])

MemberFilter = Annotated[
    int | None, Query(gt=0, le=MAX_ID, description="Operators: one member's account.")
]


class EntryRead(BaseModel):
    id: int
    posted_at: datetime
    invoice_number: str | None = Field(description="null for a payout (its memo names it).")
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


class PayoutBalanceRead(BaseModel):
    """Where the member's earnings stand on their way out (R27), to the cent:
    credited = paid_out + available + pending + netted."""

    credited: MoneyText = Field(description="Every share ever credited.")
    pending: MoneyText = Field(description="Shares in their hold period after payment.")
    available: MoneyText = Field(description="Matured, not paid out: the next run pays it.")
    paid_out: MoneyText = Field(description="Paid by payout runs, or set aside by one.")
    netted: MoneyText = Field(description="Clawbacks absorbed by the credits.")
    owed: MoneyText = Field(description="Clawbacks after payout, taken from the next credits.")


class LedgerRead(Page[EntryRead]):
    account: str | None = Field(None, description="The account shown, when there is one.")
    balance: SignedMoneyText | None = Field(None, description="Its credits minus debits.")
    accounts: list[AccountRead] = Field([], description="Operators: every account's balance.")
    payouts: PayoutBalanceRead | None = Field(
        None, description="One member's balance: pending, available, paid out, netted."
    )
    statement: StatementRead | None = Field(
        None,
        description="One member's statement for the period (from, to): earnings, commission "
        "invoices owed and paid, founder's parts owed or due, each with opening balance, rows "
        "with their running balance, and closing balance.",
    )


@router.get("/ledger", response_model=LedgerRead, responses=refusals(404))
def read_ledger(
    session: SessionDep,
    principal: PrincipalDep,
    member_id: MemberFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    start: DateFrom = None,
    end: DateTo = None,
) -> dict[str, Any]:
    """Your postings, balance and statement for a period (operators: every account, or one
    member's with member_id)."""
    query = select(LedgerEntry)
    viewer = principal.member
    target = member_id if member_id is not None else (viewer.id if viewer else None)
    start, end = period(start, end)
    if target is None:
        page = _named(session, paginate(session, query, LedgerEntry.id, cursor, limit, _entry))
        balances = account_balances(session).items()
        return {
            **page,
            "accounts": [AccountRead(account=a, balance=format_cents(b)) for a, b in balances],
        }
    member = _owned_member(session, principal, target)
    account = member_account(member.id)
    query = query.where(
        or_(LedgerEntry.credit_account == account, LedgerEntry.debit_account == account)
    )
    page = _named(session, paginate(session, query, LedgerEntry.id, cursor, limit, _entry))
    currency = session.get_one(Cluster, member.cluster_id).currency
    statement = statement_read(sections_of(session, member, start, end), start, end, currency)
    return {
        **page,
        "account": account,
        "balance": format_cents(balance(session, account)),
        "payouts": _payout_balance(session, member),
        "statement": statement,
    }


def _payout_balance(session: Session, member: Member) -> PayoutBalanceRead:
    found = balances(session, member.cluster_id, utcnow(), member.id)[member.id].balance
    return PayoutBalanceRead(
        credited=format_cents(found.credited),
        pending=format_cents(found.pending),
        available=format_cents(found.available),
        paid_out=format_cents(found.paid_out),
        netted=format_cents(found.netted),
        owed=format_cents(found.owed),
    )


@router.get(
    "/members/{member_id}/statement.pdf",
    response_class=Response,
    responses=pdf_answer("The statement as PDF."),
)
def statement_pdf(
    member_id: ObjectId,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    start: DateFrom = None,
    end: DateTo = None,
) -> Response:
    """A member's statement for a period: earnings, commission invoices, founder's parts, each
    from its opening balance through the period's rows to its closing balance."""
    member = _owned_member(session, principal, member_id)
    start, end = period(start, end)
    pdf = statement_view(session, member, start, end, settings)
    filename = f"statement-{member.id}-{start}-{end}.pdf"
    return Response(
        render_statement_pdf(pdf),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
