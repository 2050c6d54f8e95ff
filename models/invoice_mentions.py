"""The mentions French law requires on an invoice (R25), the same words in the PDF and, as
notes with their UNTDID 4451 subject codes, in the XML."""

from __future__ import annotations

from dataclasses import dataclass

from models.documents import PlatformIdentity

RECOVERY_INDEMNITY = (
    "A fixed indemnity of 40 EUR for recovery costs is due for any late payment "
    "(French Commercial Code, articles L441-10 and D441-5)."
)
VAT_ON_RECEIPT = "VAT on services is due on receipt of payment."
VAT_ON_DEBITS = "VAT paid on debits: the seller opted to pay VAT on its services when invoiced."
OPERATION = "Operation category: supply of services (commission)."


@dataclass(frozen=True)
class Mention:
    code: str  # UNTDID 4451 text subject code
    text: str


def seller_legal_mention(platform: PlatformIdentity) -> str:
    """The seller's legal form, share capital and registration, as one sentence."""
    form = platform.terms.legal_form or "legal form not configured"
    capital = platform.terms.share_capital or "not configured"
    return (
        f"{platform.legal_name}, {form} with a share capital of {capital}, {platform.registration}."
    )


def vat_regime(platform: PlatformIdentity) -> str:
    return VAT_ON_DEBITS if platform.terms.vat_on_debits else VAT_ON_RECEIPT


def invoice_mentions(platform: PlatformIdentity) -> tuple[Mention, ...]:
    """Late-payment penalties (PMD), the recovery indemnity (PMT), the early-payment terms
    (AAB), the seller's legal form and capital (REG) and its VAT regime (TXD's neighbour AAI:
    TXD is reserved to members of a single VAT group), in the order the invoice prints them."""
    terms = platform.terms
    return (
        Mention("PMD", terms.late_payment),
        Mention("PMT", RECOVERY_INDEMNITY),
        Mention("AAB", terms.early_payment),
        Mention("REG", seller_legal_mention(platform)),
        Mention("AAI", f"{OPERATION} {vat_regime(platform)}"),
    )
