"""R15: a cancelled order's invoices are cancelled by credit notes, each issued once with its
own gap-free number, rendered as Factur-X and emailed to the supplier once; parallel
cancellations keep both the invoices' and the credit notes' numbering without a gap, and
record each status once; parallel corrections never credit more than the invoice has."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import facturx
import httpx
import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from documents.einvoice import RAM
from documents.render import DocumentStore
from models.commission import Clawback
from models.domain import InvoiceStatus
from models.errors import Conflict, RuleViolation
from store.credit_notes import issue_correction
from store.db import transaction
from store.invoices import lock_invoice
from store.orders import mark_cancelled
from store.status_history import status_history
from store.tables import CommissionInvoice, CreditNote, SentEmail
from store.tables import DocumentStatusEvent as Event
from tests.factories import World, catalogue_world
from tests.ledger_seed import cancellation_steps, issue, pay_and_split, seed_order

Factory = sessionmaker[Session]


@pytest.fixture
async def world(api: httpx.AsyncClient) -> World:
    return await catalogue_world(api)


def _cancelled_order(db: Factory, docs: Path, world: World) -> str:
    alice = world.members["alice"]
    order = seed_order(db, docs, world, alice, world.clients["acme"], [("alice-audit", "1")])
    [invoice] = issue(db, docs, order)
    with transaction(db) as session:
        mark_cancelled(session, order, "client withdrew", datetime.now(UTC))
    return invoice.number


def _notes(db: Factory) -> list[CreditNote]:
    with db() as session:
        return list(session.scalars(select(CreditNote).order_by(CreditNote.number)))


def _sent(db: Factory) -> list[tuple[str, str]]:
    with db() as session:
        return [(k, b) for k, b in session.execute(select(SentEmail.kind, SentEmail.business_key))]


async def test_an_unpaid_invoice_is_cancelled_by_one_credit_note_rendered_and_emailed_once(
    db: Factory, world: World, tmp_path: Path
) -> None:
    docs = tmp_path / "documents"
    number = _cancelled_order(db, docs, world)
    steps = cancellation_steps(db, docs)
    assert steps.void_commission_invoice(number).status == InvoiceStatus.VOID
    assert steps.void_commission_invoice(number).status == InvoiceStatus.VOID  # retried
    [note] = _notes(db)
    assert note.number.startswith(f"CN-{note.issued_at.year}-")
    assert note.invoice_number == number
    assert (note.reason, note.refund_due) == ("client withdrew", False)
    _, xml = facturx.get_xml_from_pdf(DocumentStore(docs).get(note.document_key))
    root = etree.fromstring(xml)
    assert root.findtext(f".//{{{RAM}}}TypeCode") == "381"
    assert root.findtext(f".//{{{RAM}}}InvoiceReferencedDocument/{{{RAM}}}IssuerAssignedID") == (
        number
    )
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    credit_emails = [key for kind, key in _sent(db) if kind == "credit_note"]
    assert credit_emails == [f"{note.number}/credit_note/member:{world.members['alice'].id}"]
    [eml] = (tmp_path / "outbox").glob(f"*credit_note*{world.members['alice'].id}.eml")
    message = eml.read_bytes()
    assert f"{note.number}.pdf".encode() in message and b"text/html" in message


async def test_a_paid_and_split_invoice_is_clawed_back_with_a_credit_note_of_the_refund(
    db: Factory, world: World, tmp_path: Path
) -> None:
    docs = tmp_path / "documents"
    alice = world.members["alice"]
    order = seed_order(db, docs, world, alice, world.clients["acme"], [("alice-audit", "1")])
    [invoice] = issue(db, docs, order)
    pay_and_split(db, docs, invoice)
    steps = cancellation_steps(db, docs)
    assert steps.void_commission_invoice(invoice.number).status == InvoiceStatus.SPLIT
    assert _notes(db) == []  # paid: nothing is cancelled until the clawback
    first = steps.post_commission_reversal(Clawback(invoice.number, "order cancelled"))
    again = steps.post_commission_reversal(Clawback(invoice.number, "order cancelled"))
    assert first == again
    [note] = _notes(db)
    assert (note.invoice_number, note.refund_due, note.reason) == (
        invoice.number,
        True,
        "order cancelled",
    )
    assert note.amount_cents + note.tax_cents == invoice.amount_cents
    assert DocumentStore(docs).exists(note.document_key)


def _now() -> datetime:
    return datetime.now(UTC)


def _sequence(numbers: list[str]) -> list[int]:
    return sorted(int(number.rsplit("-", 1)[1]) for number in numbers)


def _gap_free(numbers: list[str]) -> bool:
    """Consecutive (the counters outlive each test, so the first need not be 1)."""
    seq = _sequence(numbers)
    return seq == list(range(seq[0], seq[0] + len(seq)))


async def test_parallel_cancellations_keep_both_numberings_gap_free(
    db: Factory, world: World, tmp_path: Path
) -> None:
    docs = tmp_path / "documents"
    numbers = [_cancelled_order(db, docs, world) for _ in range(20)]
    steps = cancellation_steps(db, docs)
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = [
            voided.status for voided in pool.map(steps.void_commission_invoice, numbers * 2)
        ]
    assert set(statuses) == {InvoiceStatus.VOID}
    notes = _notes(db)
    assert sorted(n.invoice_number for n in notes) == sorted(numbers)
    assert len(notes) == 20 and _gap_free([n.number for n in notes])
    with db() as session:
        assert _gap_free(list(session.scalars(select(CommissionInvoice.number))))
        # Each status once, though every invoice was cancelled twice at once.
        events = list(session.execute(select(Event.document_number, Event.status, Event.reference)))
    cancelled = sorted((number, ref) for number, status, ref in events if status == "cancelled")
    assert cancelled == sorted((n.invoice_number, n.number) for n in notes)
    assert sorted(n for n, s, _ in events if s == "issued") == sorted(
        [*numbers, *(n.number for n in notes)]
    )


def _correct(db: Factory, number: str, amount_cents: int) -> str | None:
    """A correction in its own transaction; None when refused."""
    try:
        with transaction(db) as session:
            invoice = lock_invoice(session, number)
            return issue_correction(session, invoice, amount_cents, "rate", _now()).number
    except (RuleViolation, Conflict):
        return None


async def test_parallel_corrections_never_credit_more_than_the_invoice_has(
    db: Factory, world: World, tmp_path: Path
) -> None:
    docs = tmp_path / "documents"
    alice = world.members["alice"]
    order = seed_order(db, docs, world, alice, world.clients["acme"], [("alice-audit", "1")])
    [invoice] = issue(db, docs, order)
    part = invoice.amount_cents * 3 // 10  # room for three, not four
    with ThreadPoolExecutor(max_workers=8) as pool:
        issued = [n for n in pool.map(lambda _: _correct(db, invoice.number, part), range(8)) if n]
    assert len(issued) == 3 and _gap_free(issued)
    notes = _notes(db)
    assert sum(n.total_cents for n in notes) == 3 * part <= invoice.amount_cents
    rest = invoice.amount_cents - 3 * part
    assert _correct(db, invoice.number, rest + 1) is None
    assert _correct(db, invoice.number, rest) is not None
    assert _correct(db, invoice.number, 1) is None  # cancelled in full by its corrections
    with db() as session:
        assert (
            sum(n.tax_cents for n in _notes(db))
            == session.get_one(CommissionInvoice, invoice.number).tax_cents
        )
        assert [e.status for e in status_history(session, invoice.number)][-1] == "cancelled"


async def test_a_void_invoice_takes_no_correction(
    db: Factory, world: World, tmp_path: Path
) -> None:
    docs = tmp_path / "documents"
    number = _cancelled_order(db, docs, world)
    cancellation_steps(db, docs).void_commission_invoice(number)
    with transaction(db) as session, pytest.raises(Conflict, match="already cancelled in full"):
        issue_correction(session, lock_invoice(session, number), 100, "rate", _now())
