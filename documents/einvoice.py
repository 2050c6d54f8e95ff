"""The commission invoice as a structured e-invoice: Factur-X, profile EN 16931.

The Cross-Industry-Invoice XML carries the same figures as the printed invoice: one line, the
commission on the order (the sum of the line commissions, already rounded to the cent, so the
XML's line total equals the header's), the platform's tax on it, and the total due. The
renderer checks it against the standard's XSD and embeds it in the PDF (documents/pdfa.py).
"""

from __future__ import annotations

import re

from lxml import etree

from documents.cii import (
    CII,
    RAM,
    RSM,
    Element,
    Settlement,
    Vocabulary,
    xml_day,
    xml_el,
    xml_settlement,
)
from documents.cii import UDT as UDT
from documents.einvoice_parties import business_category, invoice_party, xml_notes
from models.documents import InvoicePdf, LegalIdentity, PlatformIdentity
from models.invoice_mentions import Mention, invoice_mentions
from models.money import format_cents, format_percent

EN16931 = "urn:cen.eu:en16931:2017"
COMMERCIAL_INVOICE = "380"
# BT-23, the French billing framework: S1 = an invoice for services, not yet paid.
SERVICES_INVOICE = "S1"
# A European VAT id starts with its country's code: the only country the store can tell.
_VAT_COUNTRY = re.compile(r"^([A-Z]{2})[0-9A-Z]{2,13}$")
UNCONFIGURED = PlatformIdentity(
    "Arkanna (platform identity not configured)", "", "", "", "not configured", "not configured"
)


def invoice_platform(pdf: InvoicePdf) -> PlatformIdentity:
    return pdf.platform or UNCONFIGURED


def platform_identity(platform: PlatformIdentity) -> LegalIdentity:
    return LegalIdentity(
        platform.legal_name,
        platform.address,
        platform.registration,
        platform.vat_id,
        siren=platform.siren,
        siret=platform.siret,
        postal=platform.postal,
    )


def invoice_supplier(pdf: InvoicePdf) -> LegalIdentity:
    fallback = LegalIdentity(pdf.supplier.company, email=pdf.supplier.email)
    return pdf.supplier_identity or fallback


def has_country(vat_id: str) -> bool:
    return _VAT_COUNTRY.match(vat_id) is not None


def xml_party(parent: Element, tag: str, who: LegalIdentity, words: Vocabulary = CII) -> None:
    """A trade party: name, registration, address (when its VAT id tells the country, which
    the standard requires with an address), email and VAT id, in the standard's order."""
    ram = words.ram
    party = xml_el(parent, ram, tag)
    xml_el(party, ram, "Name", who.legal_name)
    if who.registration:
        xml_el(xml_el(party, ram, "SpecifiedLegalOrganization"), ram, "ID", who.registration)
    country = _VAT_COUNTRY.match(who.vat_id)
    if country:
        address = xml_el(party, ram, "PostalTradeAddress")
        if who.address:
            xml_el(address, ram, "LineOne", " ".join(who.address.split()))
        xml_el(address, ram, "CountryID", country.group(1))
    if who.email:
        mail = xml_el(party, ram, "URIUniversalCommunication")
        xml_el(mail, ram, "URIID", who.email, schemeID="EM")
    if who.vat_id:
        registration = xml_el(party, ram, "SpecifiedTaxRegistration")
        xml_el(registration, ram, "ID", who.vat_id, schemeID="VA")


def _tax(parent: Element, pdf: InvoicePdf, *, header: bool) -> None:
    tax = xml_el(parent, RAM, "ApplicableTradeTax")
    if header:
        xml_el(tax, RAM, "CalculatedAmount", format_cents(pdf.tax_cents))
    xml_el(tax, RAM, "TypeCode", "VAT")
    if header:
        xml_el(tax, RAM, "BasisAmount", format_cents(pdf.amount_cents))
    # Standard rate when the platform charges tax; zero-rated when it charges none.
    xml_el(tax, RAM, "CategoryCode", "S" if pdf.tax_rate > 0 else "Z")
    if header and pdf.tax_rate > 0:
        # UNTDID 2005: 72 = VAT due when paid (services), 5 = when invoiced (option on debits).
        on_debits = invoice_platform(pdf).terms.vat_on_debits
        xml_el(tax, RAM, "DueDateTypeCode", "5" if on_debits else "72")
    xml_el(tax, RAM, "RateApplicablePercent", format_percent(pdf.tax_rate))


def _line(parent: Element, pdf: InvoicePdf) -> None:
    item = xml_el(parent, RAM, "IncludedSupplyChainTradeLineItem")
    xml_el(xml_el(item, RAM, "AssociatedDocumentLineDocument"), RAM, "LineID", "1")
    product = xml_el(item, RAM, "SpecifiedTradeProduct")
    xml_el(product, RAM, "Name", f"Commission on order {pdf.order_number}")
    price = xml_el(
        xml_el(item, RAM, "SpecifiedLineTradeAgreement"), RAM, "NetPriceProductTradePrice"
    )
    xml_el(price, RAM, "ChargeAmount", format_cents(pdf.amount_cents))
    delivery = xml_el(item, RAM, "SpecifiedLineTradeDelivery")
    xml_el(delivery, RAM, "BilledQuantity", "1", unitCode="C62")
    settlement = xml_el(item, RAM, "SpecifiedLineTradeSettlement")
    _tax(settlement, pdf, header=False)
    summation = xml_el(settlement, RAM, "SpecifiedTradeSettlementLineMonetarySummation")
    xml_el(summation, RAM, "LineTotalAmount", format_cents(pdf.amount_cents))


def _settlement(parent: Element, pdf: InvoicePdf, platform: PlatformIdentity) -> None:
    paid = Settlement(
        pdf.number, pdf.currency, platform.iban, platform.bic, payment_terms(pdf), pdf.due_on,
        pdf.amount_cents, pdf.tax_cents, pdf.due_cents,
    )  # fmt: skip
    xml_settlement(parent, paid, lambda settlement: _tax(settlement, pdf, header=True))


def invoice_cii_xml(pdf: InvoicePdf) -> bytes:
    """The invoice's Cross-Industry-Invoice XML (EN 16931)."""
    platform = invoice_platform(pdf)
    root = CII.root("CrossIndustryInvoice")
    context = xml_el(root, RSM, "ExchangedDocumentContext")
    process = xml_el(context, RAM, "BusinessProcessSpecifiedDocumentContextParameter")
    xml_el(process, RAM, "ID", SERVICES_INVOICE)
    xml_el(xml_el(context, RAM, "GuidelineSpecifiedDocumentContextParameter"), RAM, "ID", EN16931)
    document = xml_el(root, RSM, "ExchangedDocument")
    xml_el(document, RAM, "ID", pdf.number)
    xml_el(document, RAM, "TypeCode", COMMERCIAL_INVOICE)
    xml_day(document, "IssueDateTime", pdf.issued_on)
    buyer = invoice_supplier(pdf)
    category = Mention("BAR", business_category(buyer))
    xml_notes(document, (*invoice_mentions(platform), category))
    transaction = xml_el(root, RSM, "SupplyChainTradeTransaction")
    _line(transaction, pdf)
    agreement = xml_el(transaction, RAM, "ApplicableHeaderTradeAgreement")
    invoice_party(agreement, "SellerTradeParty", platform_identity(platform))
    invoice_party(agreement, "BuyerTradeParty", buyer)
    order = xml_el(agreement, RAM, "BuyerOrderReferencedDocument")
    xml_el(order, RAM, "IssuerAssignedID", pdf.order_number)
    # The commission is earned when the order it is charged on is invoiced: that is its date.
    delivery = xml_el(transaction, RAM, "ApplicableHeaderTradeDelivery")
    event = xml_el(delivery, RAM, "ActualDeliverySupplyChainEvent")
    xml_day(event, "OccurrenceDateTime", pdf.issued_on)
    _settlement(transaction, pdf, platform)
    xml: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def payment_terms(pdf: InvoicePdf) -> str:
    """BT-20, the payment terms as the invoice states them."""
    return f"Payable by {pdf.due_on:%Y-%m-%d} by credit transfer, quoting {pdf.number}."
