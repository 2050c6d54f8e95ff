"""Self-billing (autofacturation, R27): the mandate a member agrees to before its first payout,
and the VAT of the invoices the platform issues in the member's name.

Standard library only. Under article 289 I-2 of the French tax code a customer may issue its
supplier's invoices when the supplier has agreed to it beforehand and accepts each one; the
platform is the customer here (it pays members for selling and introducing business), each
member its supplier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from models.identity import LegalIdentity, PlatformIdentity
from models.money import tax_cents

MANDATE_TEXT_VERSION = "2026-12"
MANDATE_TEXT = (
    "Self-billing mandate. I, the member, instruct the platform to issue in my name and on my "
    "behalf the invoices for the commission shares it pays out to me (French tax code, article "
    "289 I-2). Each self-billed invoice is numbered in a sequence of its own, states that it "
    "is issued by the customer (autofacturation), carries my identity and the VAT of my "
    "regime, and is sent to me with its payout. I accept each invoice unless I contest it "
    "within 30 days of receiving it, in which case it is corrected by a credit note. I remain "
    "responsible for declaring and paying the VAT it states. I keep my bank details and VAT "
    "regime up to date; the mandate holds until I withdraw it in writing."
)
SELF_BILLING_MENTION = "Autofacturation"  # the words French law requires on the invoice
FRENCH_VAT_RATE = Decimal(20)


class VatRegime(StrEnum):
    FRENCH_VAT = "french_vat"  # a member in France charging VAT: standard rate, category S
    EU_REVERSE_CHARGE = "eu_reverse_charge"  # abroad: the platform reverse-charges (AE)
    FRANCHISE = "franchise"  # franchise en base (art. 293 B CGI): no VAT, exempt (E)


@dataclass(frozen=True)
class VatTreatment:
    category: str  # UNCL 5305
    rate: Decimal
    mention: str  # what the invoice says of it; empty for plain VAT
    exemption_code: str  # VATEX code for an exempt or reverse-charged invoice


TREATMENTS = {
    VatRegime.FRENCH_VAT: VatTreatment("S", FRENCH_VAT_RATE, "", ""),
    VatRegime.EU_REVERSE_CHARGE: VatTreatment(
        "AE",
        Decimal(0),
        "Autoliquidation: VAT due by the customer (Directive 2006/112/EC, article 196; "
        "French tax code, article 283-2).",
        "VATEX-EU-AE",
    ),
    VatRegime.FRANCHISE: VatTreatment(
        "E", Decimal(0), "TVA non applicable, art. 293 B du CGI.", "VATEX-FR-FRANCHISE"
    ),
}


def self_billed_amounts(net_cents: int, regime: VatRegime) -> tuple[int, int, int]:
    """(net, VAT, total) of a payout's self-billed invoice, in cents: the VAT half-even on the
    net, nothing for the reverse charge or the franchise."""
    if net_cents <= 0:
        raise ValueError("a payout is a positive amount")
    vat = tax_cents(net_cents, TREATMENTS[regime].rate)
    return net_cents, vat, net_cents + vat


@dataclass(frozen=True)
class SelfBilledPdf:
    """One payout's self-billed invoice: issued by the platform (the customer) in the name of
    the member (the supplier), for the commission shares the payout pays."""

    number: str
    issued_on: date
    period: str  # YYYY-MM, the month the payout pays
    seller: LegalIdentity  # the member
    buyer: PlatformIdentity  # the platform
    regime: VatRegime
    net_cents: int
    currency: str
    iban: str  # the member's account the payout is transferred to
    bic: str | None = None

    @property
    def vat_cents(self) -> int:
        return self_billed_amounts(self.net_cents, self.regime)[1]

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.vat_cents

    @property
    def treatment(self) -> VatTreatment:
        return TREATMENTS[self.regime]

    @property
    def title(self) -> str:
        return f"Self-billed invoice {self.number}"
