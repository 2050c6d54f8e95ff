"""The commission invoice as a structured e-invoice: Factur-X, profile EN 16931.

The Cross-Industry-Invoice XML carries the same figures as the printed invoice: one line, the
commission on the order (the sum of the line commissions, already rounded to the cent, so the
XML's line total equals the header's), the platform's tax on it, and the total due. The
`factur-x` package checks the XML against the standard's XSD and embeds it in the PDF.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import facturx

from models.documents import InvoicePdf, LegalIdentity, PlatformIdentity
from models.money import format_cents, format_percent

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
for _prefix, _uri in (("rsm", RSM), ("ram", RAM), ("udt", UDT)):
    ET.register_namespace(_prefix, _uri)
EN16931 = "urn:cen.eu:en16931:2017"
COMMERCIAL_INVOICE = "380"
CREDIT_TRANSFER = "58"
# A European VAT id starts with its country's code: the only country the store can tell.
_VAT_COUNTRY = re.compile(r"^([A-Z]{2})[0-9A-Z]{2,13}$")
UNCONFIGURED = PlatformIdentity(
    "Arkanna (platform identity not configured)", "", "", "", "not configured", "not configured"
)


def invoice_platform(pdf: InvoicePdf) -> PlatformIdentity:
    return pdf.platform or UNCONFIGURED


def platform_identity(platform: PlatformIdentity) -> LegalIdentity:
    return LegalIdentity(
        platform.legal_name, platform.address, platform.registration, platform.vat_id
    )


def invoice_supplier(pdf: InvoicePdf) -> LegalIdentity:
    fallback = LegalIdentity(pdf.supplier.company, email=pdf.supplier.email)
    return pdf.supplier_identity or fallback


def _el(parent: ET.Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        child.text = text
    return child


def _day(parent: ET.Element, tag: str, value: date) -> None:
    holder = _el(parent, RAM, tag)
    _el(holder, UDT, "DateTimeString", value.strftime("%Y%m%d"), format="102")


def _party(parent: ET.Element, tag: str, who: LegalIdentity) -> None:
    party = _el(parent, RAM, tag)
    _el(party, RAM, "Name", who.legal_name)
    if who.registration:
        _el(_el(party, RAM, "SpecifiedLegalOrganization"), RAM, "ID", who.registration)
    country = _VAT_COUNTRY.match(who.vat_id)
    if country:
        address = _el(party, RAM, "PostalTradeAddress")
        if who.address:
            _el(address, RAM, "LineOne", who.address)
        _el(address, RAM, "CountryID", country.group(1))
    if who.email:
        mail = _el(party, RAM, "URIUniversalCommunication")
        _el(mail, RAM, "URIID", who.email, schemeID="EM")
    if who.vat_id:
        _el(_el(party, RAM, "SpecifiedTaxRegistration"), RAM, "ID", who.vat_id, schemeID="VA")


def _tax(parent: ET.Element, pdf: InvoicePdf, *, header: bool) -> None:
    tax = _el(parent, RAM, "ApplicableTradeTax")
    if header:
        _el(tax, RAM, "CalculatedAmount", format_cents(pdf.tax_cents))
    _el(tax, RAM, "TypeCode", "VAT")
    if header:
        _el(tax, RAM, "BasisAmount", format_cents(pdf.amount_cents))
    # Standard rate when the platform charges tax; zero-rated when it charges none.
    _el(tax, RAM, "CategoryCode", "S" if pdf.tax_rate > 0 else "Z")
    _el(tax, RAM, "RateApplicablePercent", format_percent(pdf.tax_rate))


def _line(parent: ET.Element, pdf: InvoicePdf) -> None:
    item = _el(parent, RAM, "IncludedSupplyChainTradeLineItem")
    _el(_el(item, RAM, "AssociatedDocumentLineDocument"), RAM, "LineID", "1")
    product = _el(item, RAM, "SpecifiedTradeProduct")
    _el(product, RAM, "Name", f"Commission on order {pdf.order_number}")
    price = _el(_el(item, RAM, "SpecifiedLineTradeAgreement"), RAM, "NetPriceProductTradePrice")
    _el(price, RAM, "ChargeAmount", format_cents(pdf.amount_cents))
    delivery = _el(item, RAM, "SpecifiedLineTradeDelivery")
    _el(delivery, RAM, "BilledQuantity", "1", unitCode="C62")
    settlement = _el(item, RAM, "SpecifiedLineTradeSettlement")
    _tax(settlement, pdf, header=False)
    summation = _el(settlement, RAM, "SpecifiedTradeSettlementLineMonetarySummation")
    _el(summation, RAM, "LineTotalAmount", format_cents(pdf.amount_cents))


def _settlement(parent: ET.Element, pdf: InvoicePdf, platform: PlatformIdentity) -> None:
    settlement = _el(parent, RAM, "ApplicableHeaderTradeSettlement")
    _el(settlement, RAM, "PaymentReference", pdf.number)
    _el(settlement, RAM, "InvoiceCurrencyCode", pdf.currency)
    means = _el(settlement, RAM, "SpecifiedTradeSettlementPaymentMeans")
    _el(means, RAM, "TypeCode", CREDIT_TRANSFER)
    _el(_el(means, RAM, "PayeePartyCreditorFinancialAccount"), RAM, "IBANID", platform.iban)
    _el(_el(means, RAM, "PayeeSpecifiedCreditorFinancialInstitution"), RAM, "BICID", platform.bic)
    _tax(settlement, pdf, header=True)
    _day(_el(settlement, RAM, "SpecifiedTradePaymentTerms"), "DueDateDateTime", pdf.due_on)
    totals = _el(settlement, RAM, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(totals, RAM, "LineTotalAmount", format_cents(pdf.amount_cents))
    _el(totals, RAM, "TaxBasisTotalAmount", format_cents(pdf.amount_cents))
    _el(totals, RAM, "TaxTotalAmount", format_cents(pdf.tax_cents), currencyID=pdf.currency)
    _el(totals, RAM, "GrandTotalAmount", format_cents(pdf.due_cents))
    _el(totals, RAM, "DuePayableAmount", format_cents(pdf.due_cents))


def invoice_cii_xml(pdf: InvoicePdf) -> bytes:
    """The invoice's Cross-Industry-Invoice XML (EN 16931)."""
    platform = invoice_platform(pdf)
    root = ET.Element(f"{{{RSM}}}CrossIndustryInvoice")
    context = _el(root, RSM, "ExchangedDocumentContext")
    _el(_el(context, RAM, "GuidelineSpecifiedDocumentContextParameter"), RAM, "ID", EN16931)
    document = _el(root, RSM, "ExchangedDocument")
    _el(document, RAM, "ID", pdf.number)
    _el(document, RAM, "TypeCode", COMMERCIAL_INVOICE)
    _day(document, "IssueDateTime", pdf.issued_on)
    transaction = _el(root, RSM, "SupplyChainTradeTransaction")
    _line(transaction, pdf)
    agreement = _el(transaction, RAM, "ApplicableHeaderTradeAgreement")
    _party(agreement, "SellerTradeParty", platform_identity(platform))
    _party(agreement, "BuyerTradeParty", invoice_supplier(pdf))
    order = _el(agreement, RAM, "BuyerOrderReferencedDocument")
    _el(order, RAM, "IssuerAssignedID", pdf.order_number)
    _el(transaction, RAM, "ApplicableHeaderTradeDelivery")
    _settlement(transaction, pdf, platform)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def embed_facturx(pdf_bytes: bytes, xml: bytes) -> bytes:
    """The PDF with the XML attached as factur-x.xml and the Factur-X XMP metadata; the XML is
    checked against the EN 16931 XSD first, so an invalid invoice is never issued."""
    result: bytes = facturx.generate_from_binary(
        pdf_bytes, xml, flavor="factur-x", level="en16931", check_xsd=True, lang="en-GB"
    )
    return result
