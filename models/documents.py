"""What each PDF shows: plain frozen views, built from the store and handed to the renderers.

Money is integer cents in the document currency; rates and discounts are `Decimal` percents
(`Decimal("12.5")` is 12.5 %); quantities are `Decimal`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from models.identity import EARLY_PAYMENT as EARLY_PAYMENT
from models.identity import LATE_PAYMENT as LATE_PAYMENT
from models.identity import LegalIdentity as LegalIdentity
from models.identity import PlatformIdentity as PlatformIdentity
from models.identity import PostalAddress as PostalAddress
from models.identity import SellerTerms as SellerTerms
from models.payouts import Balance
from models.statements import StatementSection
from models.tax import taxes, total_with_tax


@dataclass(frozen=True)
class AcceptanceView:
    """The client's signature as the signed copy prints it."""

    signer_name: str
    accepted_at: datetime
    revision: int
    po_reference: str | None
    order_number: str


@dataclass(frozen=True)
class PartyView:
    """A person and the company they act for, with its legal identity (R20), as printed on a
    document when it is issued: later changes to the person never reach it."""

    name: str
    company: str
    email: str
    address: str | None = None
    registration_number: str | None = None
    vat_id: str | None = None


@dataclass(frozen=True)
class TaxView:
    """One tax rate of a document: the base (line nets at that rate) and its amount."""

    rate: Decimal
    base_cents: int
    amount_cents: int


@dataclass(frozen=True)
class TaxSummary:
    """Taxes per rate and the total with tax; `recorded` False for deals quoted before tax
    rates were recorded, whose tax reads 0."""

    taxes: tuple[TaxView, ...] = ()
    total_with_tax_cents: int = 0
    recorded: bool = True


def tax_summary(
    nets: Iterable[tuple[int, Decimal]], net_cents: int, *, recorded: bool = True
) -> TaxSummary:
    """Per rate over (net cents, rate percent) pairs, and the total with tax (R21)."""
    by_rate = taxes(nets)
    return TaxSummary(
        tuple(TaxView(t.rate, t.base_cents, t.amount_cents) for t in by_rate),
        total_with_tax(net_cents, by_rate),
        recorded,
    )


@dataclass(frozen=True)
class FounderComponentView:
    """The founder service a line includes: its quantity per unit of the line and the
    founder's price per unit of the service."""

    offer_name: str
    founder_name: str
    quantity: Decimal
    founder_price_cents: int


@dataclass(frozen=True)
class LineView:
    position: int
    offer_name: str
    unit: str
    quantity: Decimal
    unit_price_cents: int
    discount: Decimal
    net_cents: int
    procurement: str  # "direct" or "resell"
    founder_component: FounderComponentView | None = None
    tax_rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class SupplierBlock:
    supplier_name: str
    supplier_company: str
    lines: tuple[LineView, ...]
    subtotal_cents: int


@dataclass(frozen=True)
class QuotePdf:
    cluster_name: str
    currency: str
    number: str
    revision: int
    issued_on: date
    valid_until: date | None  # None until the quote is sent
    seller: PartyView
    client: PartyView
    note: str
    terms: str
    total_cents: int
    suppliers: tuple[SupplierBlock, ...]
    tax: TaxSummary = TaxSummary()
    platform: PartyView | None = None  # the platform the deal is made through
    acceptance: AcceptanceView | None = None  # set on the client's signed copy only

    @property
    def title(self) -> str:
        return f"Quote {self.number} revision {self.revision}"


@dataclass(frozen=True)
class PurchaseLineView:
    offer_name: str
    unit: str
    quantity: Decimal
    unit_price_cents: int
    discount: Decimal
    net_cents: int
    tax_rate: Decimal = Decimal(0)
    description: str = ""  # the offer's, as the catalogue words it


@dataclass(frozen=True)
class PurchaseOrderPdf:
    """The seller buys the `resell` lines of one supplier, delivered to the client."""

    order_number: str
    quote_number: str
    issued_on: date
    currency: str
    buyer: PartyView
    supplier: PartyView
    client: PartyView
    lines: tuple[PurchaseLineView, ...]
    # No client purchase-order reference nor signer: the supplier's document carries only
    # its own part of the deal; the order number is the reference.
    total_cents: int
    tax: TaxSummary = TaxSummary()
    platform: PartyView | None = None

    @property
    def title(self) -> str:
        return f"Purchase order {self.order_number} to {self.supplier.company}"


@dataclass(frozen=True)
class CommissionLineView:
    """`commission_cents` is exact (net × rate), possibly a fraction of a cent."""

    offer_name: str
    net_cents: int
    commission_rate: Decimal
    commission_cents: Decimal


@dataclass(frozen=True)
class InvoicePdf:
    """The platform's commission invoice to one supplier of an order, with its tax (R22)."""

    number: str
    order_number: str
    quote_number: str
    issued_on: date
    due_on: date
    currency: str
    supplier: PartyView
    lines: tuple[CommissionLineView, ...]
    amount_cents: int  # the net commission
    tax_rate: Decimal = Decimal(0)
    tax_cents: int = 0
    platform: PlatformIdentity | None = None
    supplier_identity: LegalIdentity | None = None

    @property
    def title(self) -> str:
        return f"Commission invoice {self.number}"

    @property
    def due_cents(self) -> int:
        return self.amount_cents + self.tax_cents


@dataclass(frozen=True)
class StatementPdf:
    """A member's statement (R24): both parties with their identities, and per kind of money
    its opening balance, the period's movements with a running balance, its closing balance."""

    member: LegalIdentity
    platform: LegalIdentity
    cluster_name: str
    currency: str
    period_from: date
    period_to: date
    issued_on: date
    sections: tuple[StatementSection, ...]
    # Where the earnings stand on their way out at the period's end (R27).
    payouts: Balance | None = None

    @property
    def title(self) -> str:
        return f"Statement {self.member.legal_name} {self.period_from} to {self.period_to}"
