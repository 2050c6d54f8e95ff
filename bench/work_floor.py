"""The work floor of one deal: exactly the documents (with their XML), emails and SQL the
deal produced, counted from the deal itself, redone in a tight loop in this process by the
product's own functions, with no engine and no HTTP.

- documents: the payloads of the deal's stored PDFs, rebuilt from the store once (untimed) —
  each quote revision sent, the signed copy, every purchase order (Order-X), every commission
  invoice (Factur-X) — then rendered with their XSD checks;
- emails: each of the deal's outbox messages assembled again (text, HTML, the attachments read
  from the document store) and written to an outbox as the mail activity writes it;
- SQL: the statements the worker and the API sent for the deal (bench/sql_trace.py) replayed,
  commits included, on a copy of the store taken just before the deal (SQLite runs only).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url

from activities.commission import invoice_pdf, platform_of
from activities.founder_parts import founder_purchase_orders
from activities.mail import MailActivities
from activities.orders import OrderActivities
from bench.sql_trace import Record
from documents.render import (
    DocumentStore,
    render_invoice_pdf,
    render_purchase_order_pdf,
    render_quote_pdf,
)
from models.documents import AcceptanceView
from models.quote_payloads import RenderQuote
from settings import Settings, platform_party
from store.db import make_engine, make_session_factory
from store.tables import CommissionInvoice, Order, ProcurementDocument, Quote, utcnow


@dataclass
class DealWork:
    documents: list[Callable[[], bytes]] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    emails: list[EmailMessage] = field(default_factory=list)
    sql: list[Record] = field(default_factory=list)
    snapshot: Path | None = None


def snapshot(settings: Settings, to: Path) -> Path | None:
    """A consistent copy of a SQLite store (None on PostgreSQL: no replay there)."""
    url = make_url(settings.DATABASE_URL)
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    with sqlite3.connect(url.database) as source, sqlite3.connect(to) as target:
        source.backup(target)
    return to


def collect(settings: Settings, number: str, sql: list[Record], copy: Path | None) -> DealWork:
    work = DealWork(sql=sql, snapshot=copy)
    factory = make_session_factory(make_engine(settings.DATABASE_URL))
    store = DocumentStore(settings.DOCUMENTS_DIR)
    orders = OrderActivities(factory, store, platform_party(settings))
    with factory() as session:
        quote = session.get_one(Quote, number)
        order = session.scalars(select(Order).where(Order.quote_number == number)).one()
        for path in sorted(Path(settings.DOCUMENTS_DIR, "quotes").glob(f"{number}-r*.pdf")):
            revision = int(path.stem.rsplit("-r", 1)[1])
            view = orders._quote_view(session, RenderQuote(number, revision, quote.valid_until))
            _add(work, "quote", lambda v=view: render_quote_pdf(v))
        signed = replace(
            orders._quote_view(session, RenderQuote(number, order.revision, quote.valid_until)),
            acceptance=AcceptanceView(order.signer_name, order.accepted_at, order.revision,
                                      order.po_reference, order.number),
        )  # fmt: skip
        _add(work, "signed copy", lambda: render_quote_pdf(signed))
        docs = session.scalars(
            select(ProcurementDocument).where(ProcurementDocument.order_number == order.number)
        )
        for doc in docs:
            if doc.document_key is not None:
                po = orders._purchase_order(session, order, doc.supplier_id)
                _add(work, "purchase order", lambda p=po: render_purchase_order_pdf(p))
        for po in founder_purchase_orders(session, order, platform_party(settings)).values():
            _add(work, "purchase order", lambda p=po: render_purchase_order_pdf(p))
        numbers = {number, order.number}
        for invoice in session.scalars(
            select(CommissionInvoice).where(CommissionInvoice.order_number == order.number)
        ):
            numbers.add(invoice.number)
            pdf = invoice_pdf(session, invoice, platform_of(settings))
            _add(work, "invoice", lambda p=pdf: render_invoice_pdf(p))
    outbox = sorted(Path(settings.OUTBOX_DIR).glob("*.eml"))
    for path in outbox:
        if any(n in path.name for n in numbers):
            work.emails.append(message_from_bytes(path.read_bytes(), policy=policy.default))  # type: ignore[arg-type]
    return work


def _add(work: DealWork, kind: str, render: Callable[[], bytes]) -> None:
    work.documents.append(render)
    work.kinds[kind] = work.kinds.get(kind, 0) + 1


@dataclass
class Floor:
    """CPU ms per deal of each part of the work floor (sql None: not replayed)."""

    documents: float
    emails: float
    sql: float | None
    sql_failed: int = 0

    @property
    def total(self) -> float:
        return self.documents + self.emails + (self.sql or 0.0)


def measure(work: DealWork, settings: Settings, reps: int = 5) -> Floor:
    documents = _cpu(lambda: [render() for render in work.documents], reps)
    with tempfile.TemporaryDirectory(prefix="arkanna-floor-") as folder:
        mail = MailActivities(
            settings.model_copy(update={"OUTBOX_DIR": Path(folder)}),
            make_session_factory(make_engine("sqlite://")),
            DocumentStore(settings.DOCUMENTS_DIR),
        )
        emails = _cpu(lambda: [_write(mail, message) for message in work.emails], reps)
        failed, sql = 0, None
        if work.snapshot is not None:
            spent = 0.0
            for _ in range(reps):
                copy = Path(folder) / "replay.db"
                shutil.copyfile(work.snapshot, copy)
                started = time.process_time()
                failed = _replay(copy, work.sql)
                spent += time.process_time() - started
            sql = spent / reps * 1000
    return Floor(documents, emails, sql, failed)


def _cpu(job: Callable[[], Any], reps: int) -> float:
    job()  # warm-up: fonts, schemas and templates load once per process
    started = time.process_time()
    for _ in range(reps):
        job()
    return (time.process_time() - started) / reps * 1000


def _write(mail: MailActivities, stored: EmailMessage) -> None:
    """The message assembled again from its parts and written as the mail activity writes it."""
    message = EmailMessage()
    for header in ("From", "To", "Reply-To", "Subject", "Date", "Message-ID", "Auto-Submitted"):
        if stored[header] is not None:
            message[header] = stored[header]
    message.set_content(stored.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    html = stored.get_body(("html",))
    if html is not None:
        message.add_alternative(html.get_content(), subtype="html")
    for part in stored.iter_attachments():
        maintype, _, subtype = part.get_content_type().partition("/")
        message.add_attachment(
            part.get_content(), maintype=maintype, subtype=subtype, filename=part.get_filename()
        )
    mail._write_outbox(message, str(stored["Message-ID"]), utcnow())


def _replay(database: Path, sql: list[Record]) -> int:
    """The statements on the copy, in their order, committed where they were; how many failed."""
    failed = 0
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA foreign_keys=ON")
    try:
        for _, statement, params, many in sql:
            try:
                if statement == "COMMIT":
                    connection.commit()
                elif statement == "ROLLBACK":
                    connection.rollback()
                elif many:
                    connection.executemany(statement, params)
                else:
                    connection.execute(statement, params or ())
            except sqlite3.Error:
                failed += 1
        connection.commit()
    finally:
        connection.close()
    return failed
