"""The self-billed invoice of a payout (autofacturation, R27), as Factur-X (EN 16931, type 389).

The platform issues it in the member's name under the member's self-billing mandate: the
member is the seller (its identity, its VAT regime), the platform the buyer; one line, the
commission shares the payout pays for its month; payment by credit transfer to the member's
account, made the day it is issued. The word "Autofacturation", which French law requires,
is printed and carried as a note.
"""

from __future__ import annotations

from lxml import etree
from reportlab.platypus import Flowable

from documents.cii import CII, RAM, RSM, Element, Settlement, xml_day, xml_el, xml_settlement
from documents.einvoice import EN16931, platform_identity
from documents.einvoice_parties import invoice_party, xml_notes
from documents.layout import (
    bold_lead,
    day,
    gap,
    header,
    identities,
    money,
    para,
    render,
    totals,
)
from documents.pdfa import facturx
from documents.xsd import check_xsd
from models.bank_accounts import masked_iban
from models.invoice_mentions import RECOVERY_INDEMNITY, Mention
from models.money import format_cents, format_percent
from models.self_billing import SELF_BILLING_MENTION, SelfBilledPdf

SELF_BILLED_INVOICE = "389"  # UNTDID 1001
# BT-23: the French billing framework's code for an invoice for services. S1, not S2 (already
# paid): the transfer is ordered with the invoice, and paid once the bank executes it.
SERVICES_INVOICE = "S1"


def mentions(doc: SelfBilledPdf) -> tuple[Mention, ...]:
    """The notes the invoice carries, in the order it prints them."""
    notes = [
        Mention("AAI", f"{SELF_BILLING_MENTION}: invoice issued by the customer in the name and "
                       "on behalf of the supplier, under its self-billing mandate."),
        Mention("PMD", "Payable on issue by the customer's credit transfer: late payment "
                       "bears interest at the ECB refinancing rate plus 10 points."),
        Mention("PMT", RECOVERY_INDEMNITY),
        Mention("AAB", "No discount for early payment."),
    ]  # fmt: skip
    if doc.treatment.mention:
        notes.append(Mention("TXD", doc.treatment.mention))
    return tuple(notes)


def self_billed_cii_xml(doc: SelfBilledPdf) -> bytes:
    root = CII.root("CrossIndustryInvoice")
    context = xml_el(root, RSM, "ExchangedDocumentContext")
    process = xml_el(context, RAM, "BusinessProcessSpecifiedDocumentContextParameter")
    xml_el(process, RAM, "ID", SERVICES_INVOICE)
    xml_el(xml_el(context, RAM, "GuidelineSpecifiedDocumentContextParameter"), RAM, "ID", EN16931)
    document = xml_el(root, RSM, "ExchangedDocument")
    xml_el(document, RAM, "ID", doc.number)
    xml_el(document, RAM, "TypeCode", SELF_BILLED_INVOICE)
    xml_day(document, "IssueDateTime", doc.issued_on)
    buyer = platform_identity(doc.buyer)
    # B2B between two French companies; B2BINT for a member abroad (outside the French
    # e-invoicing mandate: such an invoice is e-reported, not exchanged through a platform).
    category = "B2B" if doc.seller.siren else "B2BINT"
    xml_notes(document, (*mentions(doc), Mention("BAR", category)))
    transaction = xml_el(root, RSM, "SupplyChainTradeTransaction")
    _line(transaction, doc)
    agreement = xml_el(transaction, RAM, "ApplicableHeaderTradeAgreement")
    invoice_party(agreement, "SellerTradeParty", doc.seller)
    invoice_party(agreement, "BuyerTradeParty", buyer)
    delivery = xml_el(transaction, RAM, "ApplicableHeaderTradeDelivery")
    event = xml_el(delivery, RAM, "ActualDeliverySupplyChainEvent")
    xml_day(event, "OccurrenceDateTime", doc.issued_on)
    _settlement(transaction, doc)
    xml: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def _tax(parent: Element, doc: SelfBilledPdf, *, header: bool) -> None:
    treatment = doc.treatment
    tax = xml_el(parent, RAM, "ApplicableTradeTax")
    if header:
        xml_el(tax, RAM, "CalculatedAmount", format_cents(doc.vat_cents))
    xml_el(tax, RAM, "TypeCode", "VAT")
    if header and treatment.mention:
        xml_el(tax, RAM, "ExemptionReason", treatment.mention)
    if header:
        xml_el(tax, RAM, "BasisAmount", format_cents(doc.net_cents))
    xml_el(tax, RAM, "CategoryCode", treatment.category)
    if header and treatment.exemption_code:
        xml_el(tax, RAM, "ExemptionReasonCode", treatment.exemption_code)
    xml_el(tax, RAM, "RateApplicablePercent", format_percent(treatment.rate))


def _line(parent: Element, doc: SelfBilledPdf) -> None:
    item = xml_el(parent, RAM, "IncludedSupplyChainTradeLineItem")
    xml_el(xml_el(item, RAM, "AssociatedDocumentLineDocument"), RAM, "LineID", "1")
    xml_el(xml_el(item, RAM, "SpecifiedTradeProduct"), RAM, "Name", line_text(doc))
    price = xml_el(
        xml_el(item, RAM, "SpecifiedLineTradeAgreement"), RAM, "NetPriceProductTradePrice"
    )
    xml_el(price, RAM, "ChargeAmount", format_cents(doc.net_cents))
    delivery = xml_el(item, RAM, "SpecifiedLineTradeDelivery")
    xml_el(delivery, RAM, "BilledQuantity", "1", unitCode="C62")
    settlement = xml_el(item, RAM, "SpecifiedLineTradeSettlement")
    _tax(settlement, doc, header=False)
    summation = xml_el(settlement, RAM, "SpecifiedTradeSettlementLineMonetarySummation")
    xml_el(summation, RAM, "LineTotalAmount", format_cents(doc.net_cents))


def _settlement(parent: Element, doc: SelfBilledPdf) -> None:
    paid = Settlement(
        doc.number, doc.currency, doc.iban, doc.bic, payment_terms(doc), doc.issued_on,
        doc.net_cents, doc.vat_cents, doc.total_cents,
    )  # fmt: skip
    xml_settlement(parent, paid, lambda settlement: _tax(settlement, doc, header=True))


def line_text(doc: SelfBilledPdf) -> str:
    return f"Commission shares paid out for {doc.period}"


def payment_terms(doc: SelfBilledPdf) -> str:
    """BT-20: the platform orders the transfer the day it issues the invoice."""
    return (
        f"Paid by the customer by SEPA credit transfer ordered on {doc.issued_on:%Y-%m-%d} to "
        f"the supplier's account {masked_iban(doc.iban)}, quoting {doc.number}."
    )


def render_self_billed_pdf(doc: SelfBilledPdf) -> bytes:
    """The invoice as Factur-X, its XML checked against the EN 16931 XSD before it is issued."""
    xml = self_billed_cii_xml(doc)
    check_xsd(xml, "factur-x", "en16931")
    return render(
        _story(doc), title=doc.title, author=doc.buyer.legal_name,
        footer=f"{doc.seller.legal_name} · {doc.title} · {SELF_BILLING_MENTION}",
        issued_on=doc.issued_on, keywords="Factur-X, self-billed invoice", hybrid=facturx(xml),
    )  # fmt: skip


def _story(doc: SelfBilledPdf) -> list[Flowable]:
    cur = doc.currency
    treatment = doc.treatment
    vat_label = (
        f"VAT {format_percent(treatment.rate)} %" if treatment.rate else "VAT (none charged)"
    )
    facts = [("Issued", day(doc.issued_on)), ("Period", doc.period),
             ("Transfer ordered", day(doc.issued_on))]  # fmt: skip
    story: list[Flowable] = [
        header("Invoice", doc.number, SELF_BILLING_MENTION, facts),
        gap(),
        identities(("Supplier (issued in its name)", doc.seller),
                   ("Customer", platform_identity(doc.buyer))),
        gap(),
        bold_lead(f"{SELF_BILLING_MENTION}:",
                  f" this invoice is issued by the customer, {doc.buyer.legal_name}, in the "
                  f"name and on behalf of the supplier, {doc.seller.legal_name}, under the "
                  "supplier's self-billing mandate (French tax code, article 289 I-2). The "
                  "supplier may contest it within 30 days.", "body"),
        gap(),
        para(f"{line_text(doc)}: {money(doc.net_cents, cur)} before VAT.", "body"),
        totals([("Total before VAT", money(doc.net_cents, cur)),
                (vat_label, money(doc.vat_cents, cur)),
                ("Total due to the supplier", money(doc.total_cents, cur))]),
        gap(),
    ]  # fmt: skip
    if treatment.mention:
        story += [para(treatment.mention, "body"), gap()]
    story.append(para(payment_terms(doc), "body"))
    story.append(para(RECOVERY_INDEMNITY, "small"))
    return story
