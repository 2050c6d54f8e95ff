"""The SQLAlchemy models of the whole store; import from here."""

from store.tables.bank import BankLine, BankStatement
from store.tables.base import Base, DecimalText, UTCDateTime, utcnow
from store.tables.catalogue import Offer
from store.tables.credit_notes import CreditNote
from store.tables.ledger import CommissionInvoice, LedgerEntry, SentEmail
from store.tables.limits import RateLimitCounter
from store.tables.membership import Client, Cluster, Invitation, Member
from store.tables.payouts import Payout, PayoutRun, SelfBilledCounter, SelfBillingMandate
from store.tables.sales import (
    Decision,
    FounderPart,
    NumberCounter,
    Order,
    ProcurementDocument,
    Quote,
    QuoteLine,
)
from store.tables.status_history import DocumentStatusEvent

__all__ = [
    "BankLine",
    "BankStatement",
    "Base",
    "Client",
    "Cluster",
    "CommissionInvoice",
    "CreditNote",
    "DecimalText",
    "Decision",
    "DocumentStatusEvent",
    "FounderPart",
    "Invitation",
    "LedgerEntry",
    "Member",
    "NumberCounter",
    "Offer",
    "Order",
    "Payout",
    "PayoutRun",
    "ProcurementDocument",
    "Quote",
    "QuoteLine",
    "RateLimitCounter",
    "SelfBilledCounter",
    "SelfBillingMandate",
    "SentEmail",
    "UTCDateTime",
    "utcnow",
]
