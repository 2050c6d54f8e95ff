"""A payout run (R27): who is paid, who is held and why, and the run's states.

Standard library only: the workflow, the activities and the API share these shapes and rules.
A run pays, once per member and period, each member whose available balance reaches the
cluster's threshold; a member without a self-billing mandate, without a bank account, or whose
bank account changed in the last 48 hours is held, with the reason shown, and paid by a later
run once the reason is gone (its balance stays available meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from models.errors import Conflict
from models.money import amount_text
from models.quote_payloads import Notice
from models.self_billing import VatRegime

BANK_CHANGE_HOLD = timedelta(hours=48)


class RunStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"  # previewed: the operator approves, pauses or rejects
    PAUSED = "paused"  # the operator stopped it; approval waits for a resume
    PAYING = "paying"  # approved: self-billed invoices, postings and the transfer file
    PAID = "paid"  # the transfer file is ready for the bank
    REJECTED = "rejected"  # the operator refused it: nothing paid, balances stay available
    DUPLICATE = "duplicate"  # another workflow already runs this cluster's period


class PayoutStatus(StrEnum):
    DUE = "due"  # to be paid once the run is approved
    HELD = "held"  # not paid by this run; the reason says why
    PAID = "paid"  # in the run's transfer file, with its self-billed invoice


class RunAction(StrEnum):
    APPROVE = "approve"
    PAUSE = "pause"
    RESUME = "resume"
    REJECT = "reject"


class PayoutAct(StrEnum):
    PREPARE = "prepare_payout_run"
    DECIDE = "record_payout_run_decision"
    PAY = "pay_payout_run"
    SUMMARY = "payout_run_summary"
    NOTIFY = "notify_payout_run"


@dataclass
class RunInput:
    cluster_id: int
    period: str | None = None  # "YYYY-MM"; a scheduled run pays the month before its start


@dataclass
class PrepareRun:
    cluster_id: int
    period: str
    workflow_id: str
    as_of: datetime


@dataclass
class PayoutLine:
    member_id: int
    member_name: str
    amount_cents: int
    status: str
    hold_reason: str | None = None
    self_billed_number: str | None = None


@dataclass
class RunSummary:
    run_id: int
    cluster_id: int
    period: str
    status: str
    currency: str
    payouts: list[PayoutLine] = field(default_factory=list)
    transfer_file_key: str | None = None

    @property
    def due_cents(self) -> int:
        return sum(p.amount_cents for p in self.payouts if p.status != PayoutStatus.HELD)

    @property
    def held_cents(self) -> int:
        return sum(p.amount_cents for p in self.payouts if p.status == PayoutStatus.HELD)


@dataclass
class RunDecision:
    action: str
    reason: str = ""


@dataclass
class RecordDecision:
    run_id: int
    status: str  # where the decision takes the run
    action: str
    reason: str = ""


def vat_regime_of(chosen: str | None, country: str | None) -> VatRegime:
    """The VAT of a member's self-billed invoices: the regime it chose, or French VAT for a
    member in France (or of unknown country) and the reverse charge for one abroad, whose
    services to the platform are taxed in France by the platform itself."""
    if chosen:
        return VatRegime(chosen)
    if (country or "FR").upper() == "FR":
        return VatRegime.FRENCH_VAT
    return VatRegime.EU_REVERSE_CHARGE


def month_paid_at(moment: datetime) -> str:
    """The month a run started at `moment` pays: the one before it ("2026-11" in December)."""
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def run_workflow_id(cluster_id: int, period: str) -> str:
    return f"payout-run-{cluster_id}-{period}"


def schedule_id(cluster_id: int) -> str:
    return f"payout-schedule-{cluster_id}"


def hold_reason(
    *, has_mandate: bool, has_account: bool, account_changed_at: datetime | None, now: datetime
) -> str | None:
    """Why a member cannot be paid now, or None when it can."""
    if not has_mandate:
        return "no self-billing mandate agreed yet"
    if not has_account:
        return "no bank account recorded"
    if account_changed_at is not None and now - account_changed_at < BANK_CHANGE_HOLD:
        until = account_changed_at + BANK_CHANGE_HOLD
        return (
            f"bank account changed less than 48 hours ago (payable from {until:%Y-%m-%d %H:%M} UTC)"
        )
    return None


# From each status, the actions an operator may take and where they lead.
_MOVES: dict[RunStatus, dict[RunAction, RunStatus]] = {
    RunStatus.AWAITING_APPROVAL: {
        RunAction.APPROVE: RunStatus.PAYING,
        RunAction.PAUSE: RunStatus.PAUSED,
        RunAction.REJECT: RunStatus.REJECTED,
    },
    RunStatus.PAUSED: {
        RunAction.RESUME: RunStatus.AWAITING_APPROVAL,
        RunAction.REJECT: RunStatus.REJECTED,
    },
}


def next_status(status: str, action: str) -> RunStatus:
    """Where an operator's action takes the run; a Conflict when the run's state refuses it."""
    moves = _MOVES.get(RunStatus(status), {})
    try:
        return moves[RunAction(action)]
    except (KeyError, ValueError):
        allowed = ", ".join(sorted(moves)) or "none"
        raise Conflict(
            f"the run is {status}: {action!r} is not possible (possible: {allowed})"
        ) from None


def payout_notice(view: dict[str, str], *, attachment_key: str) -> Notice:
    """The payout emailed to its member with its self-billed invoice, once per invoice."""
    currency = view["currency"]
    net, vat = int(view["net_cents"]), int(view["vat_cents"])
    before = amount_text(net, currency)
    amount = (
        f"{amount_text(net + vat, currency)} with VAT ({before} before VAT)"
        if vat
        else f"{before} before VAT, no VAT charged"
    )
    return Notice(
        business_key=f"{view['number']}/payout/member:{view['member_id']}",
        kind="payout",
        to_email=view["email"],
        to_name=view["name"],
        context={
            "name": view["name"],
            "cluster": view["cluster"],
            "period": view["period"],
            "invoice": view["number"],
            "amount": amount,
            "account": view["iban"],
        },
        attachment_key=attachment_key,
        attachment_name=f"{view['number']}.pdf",
    )
