"""What must hold in the store once every workflow has ended, whatever crashed on the way (§8).

`check_invariants(session, outbox)` reads the whole store and returns one plain sentence per
violation; an empty list means the store is sound. It assumes quiescence: no workflow running.
"""

from __future__ import annotations

import email
import re
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.commission import TAX_ROLE
from models.domain import InvoiceStatus, NumberKind, QuoteStatus
from store.tables import CommissionInvoice, LedgerEntry, NumberCounter, Order, Quote, SentEmail

_NUMBER = re.compile(r"^([A-Z])-(\d{4})-(\d{5})$")


def check_invariants(session: Session, outbox: Path | None = None) -> list[str]:
    entries = list(session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)))
    invoices = list(session.scalars(select(CommissionInvoice)))
    return [
        *posting_violations(entries),
        *share_violations(entries, invoices),
        *email_violations(list(session.scalars(select(SentEmail))), outbox),
        *order_violations(session, invoices),
        *numbering_violations(session),
    ]


def posting_violations(entries: list[LedgerEntry]) -> list[str]:
    """Each posting balanced; credits minus debits over all accounts nets to zero."""
    found: list[str] = []
    nets: Counter[str] = Counter()
    for entry in entries:
        if not entry.debit_account or not entry.credit_account:
            found.append(f"posting {entry.idempotency_key} lacks a debit or a credit account")
        elif entry.debit_account == entry.credit_account:
            found.append(f"posting {entry.idempotency_key} debits and credits one account")
        if entry.amount_cents <= 0:
            found.append(f"posting {entry.idempotency_key} has amount {entry.amount_cents}")
        nets[entry.credit_account] += entry.amount_cents
        nets[entry.debit_account] -= entry.amount_cents
    if sum(nets.values()) != 0:
        found.append(f"the ledger does not balance: accounts net to {sum(nets.values())} cents")
    return found


def share_violations(entries: list[LedgerEntry], invoices: list[CommissionInvoice]) -> list[str]:
    """One posting per (invoice, member, role); an invoice's shares sum to its commission."""
    found: list[str] = []
    shares = [e for e in entries if e.reverses_id is None]
    keys = Counter((e.invoice_number, e.member_id, e.role) for e in shares)
    for (number, member, role), count in sorted(keys.items(), key=str):
        if count > 1:
            found.append(f"{count} postings for ({number}, member {member}, {role})")
    totals: defaultdict[str, int] = defaultdict(int)
    taxes: defaultdict[str, int] = defaultdict(int)
    for entry in shares:
        # The tax is posted beside the shares: they split the net commission, it comes on top.
        (taxes if entry.role == TAX_ROLE else totals)[entry.invoice_number] += entry.amount_cents
    for invoice in invoices:
        if (
            invoice.status == InvoiceStatus.SPLIT
            and taxes.get(invoice.number, 0) != invoice.tax_cents
        ):
            found.append(
                f"invoice {invoice.number}: tax posted {taxes.get(invoice.number, 0)}, "
                f"its tax is {invoice.tax_cents}"
            )
    for invoice in sorted(invoices, key=lambda i: i.number):
        total = totals.pop(invoice.number, None)
        if invoice.status == InvoiceStatus.SPLIT and total is None:
            found.append(f"invoice {invoice.number} is split but has no share postings")
        elif invoice.status == InvoiceStatus.SPLIT and total != invoice.amount_cents:
            found.append(
                f"invoice {invoice.number}: shares sum to {total} cents, "
                f"its commission is {invoice.amount_cents}"
            )
        elif invoice.status != InvoiceStatus.SPLIT and total is not None:
            found.append(f"invoice {invoice.number} is {invoice.status} but has share postings")
    found += [f"postings for unknown invoice {number}" for number in sorted(totals)]
    by_id = {e.id: e for e in entries}
    reversed_ids = Counter(e.reverses_id for e in entries if e.reverses_id is not None)
    for entry in entries:
        if entry.reverses_id is None:
            continue
        original = by_id.get(entry.reverses_id)
        if original is None or (
            original.debit_account,
            original.credit_account,
            original.amount_cents,
        ) != (entry.credit_account, entry.debit_account, entry.amount_cents):
            found.append(f"reversal {entry.idempotency_key} does not mirror its posting")
    found += [
        f"posting {by_id[i].idempotency_key} reversed {n} times"
        for i, n in reversed_ids.items()
        if n > 1 and i in by_id
    ]
    return found


def email_violations(rows: list[SentEmail], outbox: Path | None) -> list[str]:
    """One record per business key, each sent; in the outbox, one file per Message-ID."""
    found: list[str] = []
    keys = Counter(row.business_key for row in rows)
    found += [f"{n} email records for {key}" for key, n in sorted(keys.items()) if n > 1]
    found += [f"email {row.business_key} stayed {row.state}" for row in rows if row.state != "sent"]
    if outbox is None:
        return found
    files: defaultdict[str, list[str]] = defaultdict(list)
    for path in sorted(outbox.glob("*.eml")) if outbox.exists() else []:
        message = email.message_from_bytes(path.read_bytes())
        files[str(message["Message-ID"])].append(path.name)
    for message_id, names in sorted(files.items()):
        if len(names) > 1:
            found.append(f"{len(names)} outbox files carry Message-ID {message_id}: {names}")
    recorded = {row.message_id: row.business_key for row in rows}
    found += [f"outbox file(s) {files[m]} with no email record" for m in files if m not in recorded]
    found += [
        f"email {key} was recorded but is not in the outbox"
        for m, key in sorted(recorded.items(), key=lambda item: item[1])
        if m not in files
    ]
    return found


def order_violations(session: Session, invoices: list[CommissionInvoice]) -> list[str]:
    """An ordered quote has exactly one order, any other quote none; one invoice per supplier."""
    found: list[str] = []
    orders = Counter(session.scalars(select(Order.quote_number)))
    for number, status in session.execute(select(Quote.number, Quote.status)):
        count = orders.pop(number, 0)
        expected = 1 if status == QuoteStatus.ORDERED else 0
        if count != expected:
            found.append(f"quote {number} is {status} and has {count} order(s)")
    found += [f"order(s) for unknown quote {number}" for number in sorted(orders)]
    per_supplier = Counter((i.order_number, i.supplier_id) for i in invoices)
    found += [
        f"{n} invoices of order {order} to supplier {supplier}"
        for (order, supplier), n in sorted(per_supplier.items())
        if n > 1
    ]
    return found


def numbering_violations(session: Session) -> list[str]:
    """Quote, order and invoice numbers consecutive per year, up to their counter (§4)."""
    columns = (Quote.number, Order.number, CommissionInvoice.number)
    numbers = [n for column in columns for n in session.scalars(select(column))]
    counters = {(c.kind, c.year): c.last for c in session.scalars(select(NumberCounter))}
    return numbering_gaps(numbers, counters)


def numbering_gaps(numbers: list[str], counters: dict[tuple[str, int], int]) -> list[str]:
    """The stored numbers of each kind and year run unbroken up to the counter's last one.

    Counters outlive the rows (tests empty the tables, not the counters), so a run may start
    anywhere; it must not skip, repeat, or stop short of what the counter handed out.
    """
    found: list[str] = []
    seqs: defaultdict[tuple[str, int], list[int]] = defaultdict(list)
    for number in numbers:
        match = _NUMBER.match(number)
        if match is None:
            found.append(f"malformed business number {number!r}")
            continue
        seqs[(match[1], int(match[2]))].append(int(match[3]))
    for (kind, year), run in sorted(seqs.items()):
        label = f"{NumberKind(kind).name.lower()} numbers of {year}"
        repeated = sorted(n for n, count in Counter(run).items() if count > 1)
        if repeated:
            found.append(f"{label} repeat: {[f'{kind}-{year}-{n:05d}' for n in repeated]}")
        missing = sorted(set(range(min(run), max(run) + 1)) - set(run))
        if missing:
            found.append(f"{label} have gaps: {[f'{kind}-{year}-{n:05d}' for n in missing]}")
        last = counters.get((kind, year))
        if last != max(run):
            found.append(f"{label} end at {max(run)} but their counter stands at {last}")
    return found
