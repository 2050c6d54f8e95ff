"""Payouts (R27): an operator's payout runs (preview, decisions, the transfer file), and each
member's self-billing mandate, payouts and self-billed invoices."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.bank_accounts import parse_bank_account
from api.contract import pdf_answer
from api.deps import (
    BusinessNumber,
    CurrentMember,
    ObjectId,
    OperatorDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
)
from api.engine import TemporalDep, decide_payout_run, start_payout_run
from api.errors import refusals
from api.fields import MoneyText
from api.identity_schemas import Strict
from documents.render import DocumentStore
from models.errors import Conflict, NotFound, RuleViolation
from models.money import format_cents
from models.payout_runs import RunDecision, RunStatus, RunSummary
from models.self_billing import MANDATE_TEXT, MANDATE_TEXT_VERSION
from store.payouts import run_summary
from store.tables import Cluster, Payout, PayoutRun, SelfBillingMandate

router = APIRouter(tags=["payouts"])

PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


class RunStart(Strict):
    cluster_id: int = Field(gt=0, le=2**31 - 1)
    period: str = Field(
        pattern=PERIOD_PATTERN, description="The month paid, YYYY-MM; an ended month."
    )


class RunDecisionBody(Strict):
    action: Literal["approve", "pause", "resume", "reject"]
    reason: str = Field(default="", max_length=500, description="Required to reject.")


class PayoutRead(BaseModel):
    member_id: int
    member_name: str
    amount: MoneyText = Field(description="The available balance paid, before VAT.")
    status: Literal["due", "held", "paid"]
    hold_reason: str | None = Field(description="Why the member is not paid by this run.")
    self_billed_invoice: str | None = Field(description="Its number, once paid.")


class RunRead(BaseModel):
    id: int
    cluster_id: int
    period: str
    status: str = Field(
        description="awaiting_approval, paused, paying, paid, rejected (or duplicate: "
        "another run has this period)."
    )
    currency: str
    total_due: MoneyText = Field(description="What the run pays (before VAT), held excluded.")
    total_held: MoneyText
    payouts: list[PayoutRead]
    transfer_file: str | None = Field(description="The pain.001 file, once paid.")


def run_read(summary: RunSummary) -> RunRead:
    return RunRead(
        id=summary.run_id,
        cluster_id=summary.cluster_id,
        period=summary.period,
        status=summary.status,
        currency=summary.currency,
        total_due=format_cents(summary.due_cents),
        total_held=format_cents(summary.held_cents),
        payouts=[
            PayoutRead(
                member_id=p.member_id,
                member_name=p.member_name,
                amount=format_cents(p.amount_cents),
                status=p.status,  # type: ignore[arg-type]
                hold_reason=p.hold_reason,
                self_billed_invoice=p.self_billed_number,
            )
            for p in summary.payouts
        ],
        transfer_file=(
            f"/payout-runs/{summary.run_id}/transfer-file" if summary.transfer_file_key else None
        ),
    )


def _ended(period: str, now: datetime) -> bool:
    return period < f"{now.year:04d}-{now.month:02d}"


@router.post(
    "/payout-runs", status_code=201, response_model=RunRead, responses=refusals(403, 404, 409)
)
async def start_run(
    body: RunStart,
    session: SessionDep,
    _: OperatorDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> RunRead:
    """Starts (or finds) the cluster's run of an ended month and answers its preview: who is
    paid how much, who is held and why. Nothing is paid before an operator approves it."""
    if session.get(Cluster, body.cluster_id) is None:
        raise NotFound("cluster")
    if not _ended(body.period, datetime.now(UTC)):
        raise RuleViolation("only an ended month can be paid out", field="period")
    session.rollback()  # no transaction held while the engine reads the balances
    summary = await start_payout_run(temporal, settings, body.cluster_id, body.period)
    if summary.status in (RunStatus.DUPLICATE, RunStatus.PAID, RunStatus.REJECTED):
        state = "is running" if summary.status == RunStatus.DUPLICATE else f"is {summary.status}"
        raise Conflict(f"the run of {body.period} {state}: GET /payout-runs/{summary.run_id}")
    return run_read(summary)


def _run(session: SessionDep, run_id: int) -> PayoutRun:
    run = session.get(PayoutRun, run_id)
    if run is None:
        raise NotFound("payout run")
    return run


@router.get("/payout-runs/{run_id}", response_model=RunRead)
def read_run(run_id: ObjectId, session: SessionDep, _: OperatorDep) -> RunRead:
    """One run: its status and each member's payout, due, held (with why) or paid."""
    return run_read(run_summary(session, _run(session, run_id)))


@router.post("/payout-runs/{run_id}/decisions", response_model=RunRead, responses=refusals(409))
async def decide_run(
    run_id: ObjectId,
    body: RunDecisionBody,
    session: SessionDep,
    _: OperatorDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> RunRead:
    """Approve (it pays), pause, resume or reject (with a reason) a previewed run."""
    run = _run(session, run_id)
    if run.status in (RunStatus.PAID, RunStatus.REJECTED, RunStatus.PAYING):
        raise Conflict(f"the run is {run.status}: it takes no more decisions")
    if body.action == "approve":
        currency = session.get_one(Cluster, run.cluster_id).currency
        if currency != "EUR":
            raise Conflict(f"SEPA transfers are in EUR: this cluster counts in {currency}")
        # The transfer file is drawn on the platform's account: it must be a real one.
        try:
            parse_bank_account(settings.PLATFORM_IBAN, settings.PLATFORM_BIC, "PLATFORM_IBAN")
        except RuleViolation as exc:
            raise Conflict(
                "the platform's own account pays the transfers: set PLATFORM_IBAN and "
                f"PLATFORM_BIC to a SEPA account first ({exc.message})"
            ) from None
    workflow_id = run.workflow_id
    session.rollback()
    summary = await decide_payout_run(temporal, workflow_id, RunDecision(body.action, body.reason))
    return run_read(summary)


@router.get(
    "/payout-runs/{run_id}/transfer-file",
    response_class=Response,
    responses={
        200: {
            "description": "The run's ISO 20022 pain.001.001.09 SEPA credit transfer file.",
            "content": {"application/xml": {"schema": {"type": "string"}}},
        },
    },
)
def transfer_file(
    run_id: ObjectId, session: SessionDep, _: OperatorDep, settings: SettingsDep
) -> FileResponse:
    """The file to hand to the bank: one transfer per member paid."""
    run = _run(session, run_id)
    store = DocumentStore(settings.DOCUMENTS_DIR)
    if run.transfer_file_key is None or not store.exists(run.transfer_file_key):
        raise NotFound("transfer file (the run is not paid yet)")
    return FileResponse(
        store.path(run.transfer_file_key),
        media_type="application/xml",
        filename=f"pain.001-{run.cluster_id}-{run.period}.xml",
    )


class MandateRead(BaseModel):
    text_version: str = Field(description="The version of the text in force.")
    text: str
    accepted_version: str | None = Field(description="The version you agreed to, if any.")
    accepted_at: datetime | None


class MandateAccept(Strict):
    text_version: str = Field(max_length=20, description="The version you read and agree to.")


def _mandate_read(mandate: SelfBillingMandate | None) -> MandateRead:
    return MandateRead(
        text_version=MANDATE_TEXT_VERSION,
        text=MANDATE_TEXT,
        accepted_version=mandate.text_version if mandate else None,
        accepted_at=mandate.accepted_at if mandate else None,
    )


def _mandate_of(session: SessionDep, member_id: int) -> SelfBillingMandate | None:
    return session.scalar(
        select(SelfBillingMandate).where(SelfBillingMandate.member_id == member_id)
    )


@router.get("/members/me/self-billing-mandate", response_model=MandateRead)
def read_mandate(session: SessionDep, member: CurrentMember) -> MandateRead:
    """The self-billing mandate's text, and whether you agreed to it (needed to be paid)."""
    return _mandate_read(_mandate_of(session, member.id))


@router.post(
    "/members/me/self-billing-mandate",
    status_code=201,
    response_model=MandateRead,
    responses=refusals(409),
)
def accept_mandate(body: MandateAccept, session: SessionDep, member: CurrentMember) -> MandateRead:
    """Agree to the mandate's current text: the platform then issues your payouts' invoices
    in your name. Recorded once, with its date and the text's version."""
    if body.text_version != MANDATE_TEXT_VERSION:
        raise RuleViolation(
            f"the mandate in force is version {MANDATE_TEXT_VERSION}: read it and agree to it",
            field="text_version",
        )
    found = _mandate_of(session, member.id)
    if found is not None:
        raise Conflict(f"you agreed to the mandate on {found.accepted_at:%Y-%m-%d}")
    mandate = SelfBillingMandate(member_id=member.id, text_version=body.text_version)
    session.add(mandate)
    session.flush()
    return _mandate_read(mandate)


class MyPayoutRead(BaseModel):
    period: str
    status: Literal["due", "held", "paid"]
    amount: MoneyText = Field(description="Before VAT.")
    vat: MoneyText
    total: MoneyText = Field(description="amount + vat: what is transferred.")
    hold_reason: str | None
    self_billed_invoice: str | None
    document: str | None = Field(description="The self-billed invoice's PDF.")
    paid_at: datetime | None


@router.get("/members/me/payouts", response_model=list[MyPayoutRead])
def my_payouts(session: SessionDep, member: CurrentMember) -> list[MyPayoutRead]:
    """Your payouts, newest first: paid with their self-billed invoice, or held and why."""
    rows = session.scalars(
        select(Payout).where(Payout.member_id == member.id).order_by(Payout.period.desc())
    )
    return [
        MyPayoutRead(
            period=p.period,
            status=p.status,  # type: ignore[arg-type]
            amount=format_cents(p.amount_cents),
            vat=format_cents(p.vat_cents),
            total=format_cents(p.amount_cents + p.vat_cents),
            hold_reason=p.hold_reason,
            self_billed_invoice=p.self_billed_number,
            document=(
                f"/self-billed-invoices/{p.self_billed_number}.pdf"
                if p.self_billed_number
                else None
            ),
            paid_at=p.paid_at,
        )
        for p in rows
    ]


@router.get(
    "/self-billed-invoices/{number}.pdf",
    response_class=Response,
    responses=pdf_answer("The self-billed invoice."),
)
def self_billed_pdf(
    number: BusinessNumber, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> FileResponse:
    """A payout's self-billed invoice with its Factur-X XML (its member and operators)."""
    payout = session.scalar(select(Payout).where(Payout.self_billed_number == number))
    member = principal.member
    if payout is None or (member is not None and payout.member_id != member.id):
        raise NotFound("self-billed invoice")
    store = DocumentStore(settings.DOCUMENTS_DIR)
    if payout.document_key is None or not store.exists(payout.document_key):
        raise NotFound("self-billed invoice document")
    return FileResponse(
        store.path(payout.document_key), media_type="application/pdf", filename=f"{number}.pdf"
    )
