"""A payout run's steps (R27): the preview, the operator's decisions, the payouts with their
self-billed invoices and the SEPA transfer file, and the emails to the members paid.

Each payout is paid in its own transaction: its self-billed number, its postings and its
status together, so a crash between two payouts leaves the first paid and the second due, and
the retry pays the second only. Documents are rendered after the commit under keys derived
from the payout (or the run), and rendered again by a retry that finds one missing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from activities.commission import member_identity, platform_of
from activities.ledger import crash_once_after_commit
from activities.mail import MailActivities
from documents.pain001 import (
    MAX_NAME,
    Debtor,
    Transfer,
    check_pain001,
    credit_transfer_file,
    sepa_text,
)
from documents.render import DocumentStore
from documents.self_billed import render_self_billed_pdf
from models.bank_accounts import masked_iban
from models.payout_runs import (
    PayoutAct,
    PayoutStatus,
    PrepareRun,
    RecordDecision,
    RunStatus,
    RunSummary,
    payout_notice,
    vat_regime_of,
)
from models.self_billing import SelfBilledPdf, self_billed_amounts
from settings import Settings
from store.db import transaction
from store.payouts import (
    balances,
    due_payouts,
    lock_run,
    next_self_billed_number,
    payability,
    post_payout,
    prepare_run,
    run_summary,
    set_status,
)
from store.tables import Cluster, Member, Payout, PayoutRun, SelfBillingMandate

# Fault tests only: the path of a marker file. When set and the file does not exist yet, the
# run's first payout kills its own worker process right after its commit, once — the window
# where a member is paid and posted, the next one is not, and Temporal never hears of either.
KILL_AFTER_PAYOUT_COMMIT_ENV = "ARKANNA_FAULT_KILL_AFTER_PAYOUT_COMMIT"


def self_billed_key(number: str) -> str:
    return f"self-billed/{number}.pdf"


def transfer_file_key(run: PayoutRun) -> str:
    return f"transfers/{run.cluster_id}/{run.period}/pain.001-{run.id}.xml"


class PayoutActivities:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        store: DocumentStore,
        settings: Settings,
        mail: MailActivities,
    ) -> None:
        self.db = session_factory
        self.store = store
        self.settings = settings
        self.mail = mail

    @activity.defn(name=PayoutAct.PREPARE)
    def prepare_payout_run(self, request: PrepareRun) -> RunSummary:
        with transaction(self.db) as session:
            return prepare_run(session, request)

    @activity.defn(name=PayoutAct.DECIDE)
    def record_payout_run_decision(self, decision: RecordDecision) -> RunSummary:
        with transaction(self.db) as session:
            return set_status(
                session, decision.run_id, RunStatus(decision.status), _now(), decision.reason
            )

    @activity.defn(name=PayoutAct.SUMMARY)
    def payout_run_summary(self, run_id: int) -> RunSummary:
        with self.db() as session:
            return run_summary(session, session.get_one(PayoutRun, run_id))

    @activity.defn(name=PayoutAct.PAY)
    def pay_payout_run(self, run_id: int) -> RunSummary:
        """Pays every due payout of the run once, then writes the run's transfer file."""
        with self.db() as session:
            todo = due_payouts(session, run_id)
        for payout_id in todo:
            self._pay(payout_id)
            crash_once_after_commit(KILL_AFTER_PAYOUT_COMMIT_ENV)
            _beat(payout_id)
        with self.db() as session:
            for payout in self._paid(session, run_id):
                if payout.document_key and not self.store.exists(payout.document_key):
                    self.store.put(payout.document_key, self._self_billed(session, payout))
                _beat(payout.id)
        with transaction(self.db) as session:
            run = lock_run(session, run_id)
            if run.status != RunStatus.PAID:
                paid = self._paid(session, run_id)
                if paid:
                    key = transfer_file_key(run)
                    self.store.put(key, self._transfer_file(session, run, paid))
                    run.transfer_file_key = key
                run.status = RunStatus.PAID.value
            return run_summary(session, run)

    @activity.defn(name=PayoutAct.NOTIFY)
    def notify_payout_run(self, run_id: int) -> int:
        """Emails each member paid its self-billed invoice and the amount, once."""
        with self.db() as session:
            run = session.get_one(PayoutRun, run_id)
            cluster = session.get_one(Cluster, run.cluster_id)
            notices = [
                payout_notice(
                    payout_view(session.get_one(Member, p.member_id), p, cluster),
                    attachment_key=p.document_key or "",
                )
                for p in self._paid(session, run_id)
            ]
        return sum(self.mail.send_notice(n) for n in notices)

    def _pay(self, payout_id: int) -> None:
        with transaction(self.db) as session:
            cluster_id = session.scalars(
                select(PayoutRun.cluster_id)
                .join(Payout, Payout.run_id == PayoutRun.id)
                .where(Payout.id == payout_id)
            ).one()
            # The cluster's row first, as a preview takes it: a run read meanwhile sees this
            # payout either due or paid, never neither.
            session.execute(update(Cluster).where(Cluster.id == cluster_id).values(id=Cluster.id))
            session.execute(
                update(Payout).where(Payout.id == payout_id).values(status=Payout.status)
            )
            payout = session.get_one(Payout, payout_id)
            if payout.status != PayoutStatus.DUE:
                return
            member = session.get_one(Member, payout.member_id)
            mandate = session.scalar(
                select(SelfBillingMandate.id).where(SelfBillingMandate.member_id == member.id)
            )
            now = _now()
            # The account may have changed since the preview: the 48-hour rule holds at payment.
            reason = payability(member, mandate is not None, now)
            if reason is None:
                # A clawback since the preview is taken from this payout, not owed after it.
                owed = balances(session, cluster_id, now, member.id)[member.id].balance.owed
                payout.amount_cents -= min(owed, payout.amount_cents)
                if payout.amount_cents == 0:
                    reason = "a clawback since the preview took the whole amount"
            if reason is not None:
                payout.status, payout.hold_reason = PayoutStatus.HELD.value, reason
                return
            run = session.get_one(PayoutRun, payout.run_id)
            _, vat, _ = self_billed_amounts(
                payout.amount_cents, vat_regime_of(member.vat_regime, member.country)
            )
            payout.vat_cents = vat
            payout.self_billed_number = next_self_billed_number(session, member.id, now.year)
            payout.document_key = self_billed_key(payout.self_billed_number)
            payout.iban, payout.bic = member.iban, member.bic
            payout.status, payout.paid_at = PayoutStatus.PAID.value, now
            post_payout(session, payout, run.cluster_id)

    def _paid(self, session: Session, run_id: int) -> list[Payout]:
        return list(
            session.scalars(
                select(Payout)
                .where(Payout.run_id == run_id, Payout.status == PayoutStatus.PAID)
                .order_by(Payout.member_id)
            )
        )

    def _self_billed(self, session: Session, payout: Payout) -> bytes:
        member = session.get_one(Member, payout.member_id)
        assert payout.self_billed_number is not None and payout.paid_at is not None
        cluster = session.get_one(Cluster, session.get_one(PayoutRun, payout.run_id).cluster_id)
        return render_self_billed_pdf(
            SelfBilledPdf(
                number=payout.self_billed_number,
                issued_on=payout.paid_at.date(),
                period=payout.period,
                seller=member_identity(member),
                buyer=platform_of(self.settings),
                regime=vat_regime_of(member.vat_regime, member.country),
                net_cents=payout.amount_cents,
                currency=cluster.currency,
                iban=payout.iban or "",
                bic=payout.bic,
            )
        )

    def _transfer_file(self, session: Session, run: PayoutRun, paid: list[Payout]) -> bytes:
        settings = self.settings
        members = {
            m.id: m
            for m in session.scalars(select(Member).where(Member.cluster_id == run.cluster_id))
        }
        data = credit_transfer_file(
            message_id=f"ARK-PAYOUT-{run.cluster_id}-{run.period}-{run.id}",
            created_at=run.decided_at or run.as_of,
            debtor=Debtor(
                settings.PLATFORM_LEGAL_NAME, settings.PLATFORM_IBAN, settings.PLATFORM_BIC
            ),
            execution_date=(run.decided_at or run.as_of).date(),
            transfers=[
                Transfer(
                    end_to_end_id=p.self_billed_number or "",
                    amount_cents=p.amount_cents + p.vat_cents,
                    creditor_name=_sepa_name(members[p.member_id]),
                    iban=p.iban or "",
                    bic=p.bic,
                    remittance=f"Self-billed invoice {p.self_billed_number} payout {p.period}",
                )
                for p in paid
            ],
        )
        check_pain001(data)
        return data


def _sepa_name(member: Member) -> str:
    """The creditor's name as SEPA can spell it: its company, else its name, else its id."""
    for name in (member.company, member.name):
        if sepa_text(name, MAX_NAME):
            return name
    return f"Member {member.id}"


def payout_view(member: Member, payout: Payout, cluster: Cluster) -> dict[str, str]:
    return {
        "member_id": str(member.id),
        "name": member.name,
        "email": member.email,
        "cluster": cluster.name,
        "currency": cluster.currency,
        "period": payout.period,
        "number": payout.self_billed_number or "",
        "net_cents": str(payout.amount_cents),
        "vat_cents": str(payout.vat_cents),
        "iban": masked_iban(payout.iban or ""),
    }


def _beat(detail: int) -> None:
    """A heartbeat when run by a worker (the step is also called directly, in tests)."""
    if activity.in_activity():
        activity.heartbeat(detail)


def _now() -> datetime:
    return datetime.now(UTC)
