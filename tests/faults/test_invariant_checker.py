"""The invariant checker can fail: it names what a switched-off guard or a corrupted store lets
through, and nothing else."""

from __future__ import annotations

import asyncio
import email
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from activities.ledger import KILL_AFTER_SPLIT_COMMIT_ENV
from models.commission import TAX_ROLE
from models.domain import InvoiceStatus, NumberKind, QuoteStatus
from store.tables import CommissionInvoice, LedgerEntry, NumberCounter, Quote, SentEmail
from tests.factories import Actor, World, catalogue_world
from tests.faults.conftest import Rig
from tests.faults.deals import Deal, Stack, all_completed, run_deal
from tests.faults.fault_worker import SPLIT_WITHOUT_GUARD_ENV
from tests.faults.invariants import check_invariants, numbering_gaps
from tests.faults.sweep import Interrupted, fail_at_once
from tests.processes import exit_code

DURATIONS = {
    "reminder_interval": 60,
    "approval_timeout": 900,
    "revision_timeout": 900,
    "validity": 900,
    "payment_terms": 900,
}


async def _deal(rig: Rig, offers: list[str]) -> tuple[World, Deal]:
    world = await catalogue_world(rig.api, settings=DURATIONS)
    people: dict[int, Actor] = {
        world.founder.id: world.founder,
        **{a.id: a for a in world.members.values()},
    }
    lines = [{"offer_id": world.offers[o], "quantity": "1", "discount": "0"} for o in offers]
    stack = Stack(rig.api, rig.db, asyncio.get_running_loop().time() + 120)
    alice = world.members["alice"]
    return world, await run_deal(stack, alice, world.clients["acme"], lines, people, "checked")


def _shares(session: Session, invoice: str) -> list[LedgerEntry]:
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.invoice_number == invoice,
                LedgerEntry.reverses_id.is_(None),
                LedgerEntry.role != TAX_ROLE,  # the tax is posted beside the shares
            )
            .order_by(LedgerEntry.id)
        )
    )


async def test_a_split_without_its_guard_is_reported_as_duplicate_postings(rig: Rig) -> None:
    marker = rig.folder / "killed-after-split-commit"
    worker = rig.worker(
        "-m",
        "tests.faults.fault_worker",
        **{SPLIT_WITHOUT_GUARD_ENV: "1", KILL_AFTER_SPLIT_COMMIT_ENV: str(marker)},
    )
    worker.start()
    _, deal = await _deal(rig, ["alice-audit"])
    [invoice] = deal.invoices
    # The worker dies right after the split's commit: postings there, Temporal never told.
    assert worker.process is not None
    assert await exit_code(worker.process) == -9 and marker.exists()
    with rig.db() as session:
        first = [(e.member_id, e.role, e.amount_cents) for e in _shares(session, invoice)]
        commission = session.get_one(CommissionInvoice, invoice).amount_cents
    assert len(first) >= 2 and sum(amount for *_, amount in first) == commission

    assert await Interrupted(rig.temporal, rig.db).collect(fail_at_once()) != []
    worker.start()  # the marker exists: this one lives, and retries the split without its guard
    await all_completed(rig.temporal, deal.workflow_ids)

    with rig.db() as session:
        again = [(e.member_id, e.role, e.amount_cents) for e in _shares(session, invoice)]
        violations = check_invariants(session, rig.settings.OUTBOX_DIR)
    assert again == first + first  # the mutant really posted every share twice
    expected = [f"2 postings for ({invoice}, member {m}, {role})" for m, role, _ in first]
    expected.append(
        f"invoice {invoice}: shares sum to {2 * commission} cents, its commission is {commission}"
    )
    assert sorted(violations) == sorted(expected)


@dataclass
class Sound:
    """A store after one clean deal, and the outbox's files as they were."""

    session: Session
    outbox: Path
    deal: Deal

    @property
    def invoice(self) -> CommissionInvoice:
        return self.session.get_one(CommissionInvoice, self.deal.invoices[0])

    def share(self) -> LedgerEntry:
        return _shares(self.session, self.deal.invoices[0])[0]

    def an_email(self) -> tuple[SentEmail, Path]:
        row = self.session.scalars(select(SentEmail).order_by(SentEmail.id)).first()
        assert row is not None
        for path in sorted(self.outbox.glob("*.eml")):
            if email.message_from_bytes(path.read_bytes())["Message-ID"] == row.message_id:
                return row, path
        raise AssertionError(f"no outbox file for {row.business_key}")


def _posted_twice(store: Sound) -> list[str]:
    share, invoice = store.share(), store.invoice
    store.session.add(
        LedgerEntry(
            idempotency_key=f"{share.idempotency_key}#again",
            cluster_id=share.cluster_id,
            invoice_number=share.invoice_number,
            member_id=share.member_id,
            role=share.role,
            debit_account=share.debit_account,
            credit_account=share.credit_account,
            amount_cents=share.amount_cents,
        )
    )
    total = invoice.amount_cents + share.amount_cents
    return [
        f"2 postings for ({invoice.number}, member {share.member_id}, {share.role})",
        f"invoice {invoice.number}: shares sum to {total} cents, "
        f"its commission is {invoice.amount_cents}",
    ]


def _no_debit_account(store: Sound) -> list[str]:
    share = store.share()
    share.debit_account = ""
    return [f"posting {share.idempotency_key} lacks a debit or a credit account"]


def _debit_is_credit(store: Sound) -> list[str]:
    share = store.share()
    share.debit_account = share.credit_account
    return [f"posting {share.idempotency_key} debits and credits one account"]


def _postings_lost(store: Sound) -> list[str]:
    for share in _shares(store.session, store.invoice.number):
        store.session.delete(share)
    return [f"invoice {store.invoice.number} is split but has no share postings"]


def _split_forgotten(store: Sound) -> list[str]:
    store.invoice.status = InvoiceStatus.PAID
    return [f"invoice {store.invoice.number} is paid but has share postings"]


def _order_without_quote_ordered(store: Sound) -> list[str]:
    quote = store.session.get_one(Quote, store.deal.quote)
    quote.status = QuoteStatus.SENT
    return [f"quote {quote.number} is sent and has 1 order(s)"]


def _number_lost(store: Sound) -> list[str]:
    year = int(store.deal.quote.split("-")[1])
    counter = store.session.get_one(NumberCounter, (NumberKind.QUOTE.value, year))
    counter.last += 1
    last = int(store.deal.quote.rsplit("-", 1)[1])
    return [f"quote numbers of {year} end at {last} but their counter stands at {last + 1}"]


def _email_unconfirmed(store: Sound) -> list[str]:
    row, _ = store.an_email()
    row.state = "sending"
    return [f"email {row.business_key} stayed sending"]


def _email_sent_twice(store: Sound) -> list[str]:
    row, path = store.an_email()
    copy = path.with_name("zz-resent.eml")
    copy.write_bytes(path.read_bytes())
    return [f"2 outbox files carry Message-ID {row.message_id}: {[path.name, copy.name]}"]


def _email_lost(store: Sound) -> list[str]:
    row, path = store.an_email()
    path.unlink()
    return [f"email {row.business_key} was recorded but is not in the outbox"]


def _email_unrecorded(store: Sound) -> list[str]:
    _, path = store.an_email()
    message = email.message_from_bytes(path.read_bytes())
    message.replace_header("Message-ID", "<stray@arkanna.local>")
    stray = path.with_name("zz-stray.eml")
    stray.write_bytes(message.as_bytes())
    return [f"outbox file(s) {[stray.name]} with no email record"]


CORRUPTIONS: dict[str, Callable[[Sound], list[str]]] = {
    "a share posted twice": _posted_twice,
    "a posting without a debit account": _no_debit_account,
    "a posting debiting the account it credits": _debit_is_credit,
    "a split invoice without its postings": _postings_lost,
    "a paid invoice with share postings": _split_forgotten,
    "an order for a quote not ordered": _order_without_quote_ordered,
    "a quote number handed out and lost": _number_lost,
    "an email never confirmed sent": _email_unconfirmed,
    "an email sent twice": _email_sent_twice,
    "an email recorded but never written": _email_lost,
    "an email written but never recorded": _email_unrecorded,
}


async def test_each_corruption_of_a_sound_store_is_reported_exactly(rig: Rig) -> None:
    rig.worker().start()
    _, deal = await _deal(rig, ["alice-audit", "bob-install"])
    await all_completed(rig.temporal, deal.workflow_ids)
    outbox = rig.settings.OUTBOX_DIR
    files = {path.name: path.read_bytes() for path in outbox.glob("*.eml")}
    with rig.db() as session:
        assert check_invariants(session, outbox) == []

    wrong = {}
    for name, corrupt in CORRUPTIONS.items():
        with rig.db() as session:
            store = Sound(session, outbox, deal)
            try:
                expected = corrupt(store)
                session.flush()
                found = check_invariants(session, outbox)
            finally:
                session.rollback()
                _restore(outbox, files)
        if sorted(found) != sorted(expected):
            wrong[name] = {"expected": expected, "found": found}
    assert wrong == {}
    with rig.db() as session:  # every corruption was undone
        assert check_invariants(session, outbox) == []


def _restore(outbox: Path, files: dict[str, bytes]) -> None:
    for path in outbox.glob("*.eml"):
        if path.name not in files:
            path.unlink()
    for name, data in files.items():
        (outbox / name).write_bytes(data)


@pytest.mark.parametrize(
    ("numbers", "counters", "expected"),
    [
        (["Q-2026-00004", "Q-2026-00005"], {("Q", 2026): 5}, []),
        (
            ["Q-2026-00004", "Q-2026-00006"],
            {("Q", 2026): 6},
            ["quote numbers of 2026 have gaps: ['Q-2026-00005']"],
        ),
        (
            ["O-2026-00001", "O-2026-00001"],
            {("O", 2026): 1},
            ["order numbers of 2026 repeat: ['O-2026-00001']"],
        ),
        (
            ["C-2025-00009", "C-2026-00001"],
            {("C", 2025): 9, ("C", 2026): 2},
            ["invoice numbers of 2026 end at 1 but their counter stands at 2"],
        ),
        (["Q-26-1"], {}, ["malformed business number 'Q-26-1'"]),
    ],
)
def test_numbering_gaps_names_every_skip_repeat_and_shortfall(
    numbers: list[str], counters: dict[tuple[str, int], int], expected: list[str]
) -> None:
    assert numbering_gaps(numbers, counters) == expected
