"""An accepted order written straight through the store and the activities, without Temporal:
for the tests of invoices, postings and their API that need no workflow."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from activities.commission import CommissionActivities, issue_and_render
from activities.credit_notes import CreditNoteActivities
from activities.ledger import LedgerActivities
from activities.mail import MailActivities
from activities.orders import OrderActivities
from activities.quotes import QuoteActivities
from api.schemas import QuoteCreate
from documents.render import DocumentStore
from models.commission import InvoiceInput, IssueInvoices, PaymentRecord
from models.quote_payloads import OpenOrder, SaveRevision
from settings import Settings
from store.db import transaction
from store.quotes import create_quote
from store.tables import Member
from tests.factories import Actor, World


def seed_order(
    db: sessionmaker[Session],
    documents: Path,
    world: World,
    seller: Actor,
    client_id: int,
    lines: list[tuple[str, str]],
    team: list[tuple[int, str]] | None = None,
) -> str:
    """Quote, revision and order as the quote workflow's activities would write them."""
    now = datetime.now(UTC)
    # As the API receives it: decimals travel as strings.
    payload = QuoteCreate.model_validate(
        {
            "client_id": client_id,
            "lines": [{"offer_id": world.offers[o], "quantity": q} for o, q in lines],
            "sales_team": None if team is None else [{"member_id": m, "share": s} for m, s in team],
        }
    )
    with transaction(db) as session:
        quote, start = create_quote(session, session.get_one(Member, seller.id), payload, None, now)
        number = quote.number
    QuoteActivities(db).save_quote_revision(SaveRevision(number, start.revision))
    orders = OrderActivities(db, DocumentStore(documents))
    return orders.open_order(OpenOrder(number, 1, "Carl Client", now)).number


def issue(db: sessionmaker[Session], documents: Path, order_number: str) -> list[InvoiceInput]:
    request = IssueInvoices(order_number, datetime.now(UTC))
    return issue_and_render(db, DocumentStore(documents), Settings(), request)


def pay_and_split(db: sessionmaker[Session], documents: Path, invoice: InvoiceInput) -> None:
    """What the invoice workflow does once the operator's payment is accepted."""
    activities = CommissionActivities(db, DocumentStore(documents))
    record = PaymentRecord(invoice.number, invoice.amount_cents, "TRX-SEED", datetime.now(UTC))
    activities.record_commission_payment(record)
    LedgerActivities(db).post_commission_split(invoice.number)


def cancellation_steps(db: sessionmaker[Session], documents: Path) -> CreditNoteActivities:
    """The steps that cancel invoices by credit notes, rendering into `documents` and
    emailing into an outbox beside it."""
    settings = Settings(DOCUMENTS_DIR=documents, OUTBOX_DIR=documents.parent / "outbox")
    store = DocumentStore(documents)
    return CreditNoteActivities(db, store, settings, MailActivities(settings, db, store))
