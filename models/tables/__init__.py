"""The SQLAlchemy models of the whole store; import from here."""

from models.tables.base import Base, DecimalText, UTCDateTime, utcnow
from models.tables.catalogue import Offer
from models.tables.ledger import CommissionInvoice, LedgerEntry, SentEmail
from models.tables.limits import RateLimitCounter
from models.tables.membership import Client, Cluster, Invitation, Member
from models.tables.sales import (
    Decision,
    NumberCounter,
    Order,
    ProcurementDocument,
    Quote,
    QuoteLine,
)

__all__ = [
    "Base",
    "Client",
    "Cluster",
    "CommissionInvoice",
    "DecimalText",
    "Decision",
    "Invitation",
    "LedgerEntry",
    "Member",
    "NumberCounter",
    "Offer",
    "Order",
    "ProcurementDocument",
    "Quote",
    "QuoteLine",
    "RateLimitCounter",
    "SentEmail",
    "UTCDateTime",
    "utcnow",
]
