"""Bank statement lines and how each is matched to a commission invoice (R26).

Standard library only. A line is one credit or debit the bank booked (a batch booking gives one
line per transaction in it); its key, scoped to the account, makes a second import of the same
statement a no-op. Matching is by the invoice number in the remittance information first, then
by exact amount and payer name; whatever is not one exact, unambiguous payment waits in the
suspense list for an operator.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from models.domain import InvoiceStatus
from models.money import format_cents

# The number printed on every commission invoice (C-YYYY-NNNNN); banks may drop the hyphens
# or put spaces in a reference typed by a person.
INVOICE_REFERENCE = re.compile(r"\bC[\s-]?(\d{4})[\s-]?(\d{5})\b", re.IGNORECASE)
# Legal forms say nothing about who paid: "Acme SAS" and "ACME" are the same payer.
LEGAL_FORMS = frozenset({"sa", "sas", "sasu", "sarl", "eurl", "gmbh", "ag", "ltd", "bv", "srl"})


class LineStatus(StrEnum):
    MATCHED = "matched"  # to be recorded on its invoice (after the import's commit)
    POSTED = "posted"  # recorded on its invoice by the invoice's workflow
    SUSPENSE = "suspense"  # waits for an operator
    REFUND = "refund"  # the operator decided to send it back
    OUTGOING = "outgoing"  # a debit of the platform's own (fees, transfers): nothing to match


@dataclass(frozen=True)
class StatementLine:
    """One booked transaction as the statement gives it."""

    key: str
    amount_cents: int
    currency: str
    credit: bool
    reversal: bool
    booked_on: str  # ISO date
    payer: str = ""
    references: tuple[str, ...] = ()  # structured creditor references, then unstructured text


@dataclass(frozen=True)
class Statement:
    """A camt.053 statement or camt.054 notification: its booked lines."""

    kind: str  # camt.053.001.08 or camt.054.001.08
    statement_id: str  # the message id and the statement's (or notification's) id
    account: str  # IBAN, or the bank's other account id
    lines: list[StatementLine]


@dataclass(frozen=True)
class OpenInvoice:
    """An invoice a line may pay: its number, what is due, and who owes it."""

    number: str
    due_cents: int
    currency: str
    status: str
    payer_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    status: LineStatus
    invoice_number: str | None = None
    reason: str = ""
    candidates: list[str] = field(default_factory=list)


def line_key(account: str, reference: str, position: int | None = None) -> str:
    """The line's idempotency key: the bank's reference within the account (a batch's
    transactions by position)."""
    key = f"{account}|{reference}"
    return key if position is None else f"{key}|{position}"


def fallback_reference(statement_id: str, *fields: str) -> str:
    """For an entry without a bank reference: a hash of its canonical fields and statement."""
    canonical = "\x1f".join((statement_id, *fields))
    return "h:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def invoice_numbers_in(texts: tuple[str, ...]) -> list[str]:
    """The distinct invoice numbers the remittance texts name, in order, normalised."""
    found: list[str] = []
    for text in texts:
        for year, serial in INVOICE_REFERENCE.findall(text):
            number = f"C-{year}-{serial}"
            if number not in found:
                found.append(number)
    return found


def same_payer(payer: str, names: tuple[str, ...]) -> bool:
    """The payer's name is one of the invoice's names, ignoring case, accents and legal forms."""
    wanted = _words(payer)
    return bool(wanted) and any(_words(name) == wanted for name in names)


def _words(name: str) -> tuple[str, ...]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = re.findall(r"[a-z0-9]+", plain)
    return tuple(w for w in words if w not in LEGAL_FORMS)


def match_line(line: StatementLine, invoices: dict[str, OpenInvoice]) -> Decision:
    """What becomes of one line: matched to one invoice, in suspense (why), or outgoing."""
    if line.reversal:
        return Decision(LineStatus.SUSPENSE, reason="a return (reversal) of an earlier booking")
    if not line.credit:
        return Decision(LineStatus.OUTGOING)
    named = invoice_numbers_in(line.references)
    if len(named) > 1:
        return Decision(LineStatus.SUSPENSE, reason="names several invoices", candidates=named)
    if named:
        invoice = invoices.get(named[0])
        if invoice is None:
            return Decision(LineStatus.SUSPENSE, reason=f"names {named[0]}, no such invoice")
        return _against(line, invoice)
    return _by_amount_and_payer(line, invoices)


def _against(line: StatementLine, invoice: OpenInvoice) -> Decision:
    """A line that names its invoice pays it only if it is open, in its currency, in full."""
    number = invoice.number
    if invoice.status != InvoiceStatus.ISSUED:
        reason = f"names {number}, which is {invoice.status}: it takes no payment"
        return Decision(LineStatus.SUSPENSE, reason=reason, candidates=[number])
    if line.currency != invoice.currency:
        reason = f"in {line.currency}; {number} is due in {invoice.currency}"
        return Decision(LineStatus.SUSPENSE, reason=reason, candidates=[number])
    if line.amount_cents != invoice.due_cents:
        kind = "partial payment" if line.amount_cents < invoice.due_cents else "over-payment"
        reason = (
            f"{kind} of {number}: {format_cents(line.amount_cents)} received, "
            f"{format_cents(invoice.due_cents)} due"
        )
        return Decision(LineStatus.SUSPENSE, reason=reason, candidates=[number])
    return Decision(LineStatus.MATCHED, invoice_number=number)


def _by_amount_and_payer(line: StatementLine, invoices: dict[str, OpenInvoice]) -> Decision:
    fits = sorted(
        i.number
        for i in invoices.values()
        if i.status == InvoiceStatus.ISSUED
        and i.currency == line.currency
        and i.due_cents == line.amount_cents
        and same_payer(line.payer, i.payer_names)
    )
    if len(fits) == 1:
        return Decision(LineStatus.MATCHED, invoice_number=fits[0])
    if fits:
        reason = "no invoice reference; several open invoices of this amount and payer"
        return Decision(LineStatus.SUSPENSE, reason=reason, candidates=fits)
    reason = "no invoice reference, and no open invoice of this amount and payer"
    return Decision(LineStatus.SUSPENSE, reason=reason)


def check_assignment(invoice: OpenInvoice, amount_cents: int, currency: str) -> str | None:
    """Why a suspense line cannot pay this invoice (None when it can): it must be open and the
    line's amount exactly what is due."""
    line = StatementLine("", amount_cents, currency, credit=True, reversal=False, booked_on="")
    decision = _against(line, invoice)
    return None if decision.status == LineStatus.MATCHED else decision.reason
