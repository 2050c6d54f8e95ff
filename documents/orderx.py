"""The purchase order as a structured order: Order-X, profile Comfort.

The XML carries what the printed purchase order shows: the buyer, the supplier (the seller of
the order, in the standard's words) and the client it is delivered to, each with its legal
identity; every line with its quantity, unit price, net price after discount, tax rate and net;
and the totals, with the tax of each rate rounded once (R21), so its tax total and grand total
are the printed ones to the cent. The renderer checks the XML against the Order-X XSD and
embeds it in the PDF (documents/pdfa.py).
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from documents.einvoice import Element, Vocabulary, has_country, xml_day, xml_el, xml_party
from models.documents import LegalIdentity, PartyView, PurchaseLineView, PurchaseOrderPdf
from models.money import format_cents, format_percent, to_cents

ORDER_X = Vocabulary(
    "urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100",
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:128",
    "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:128",
)
RAM = ORDER_X.ram
COMFORT = "urn:order-x.eu:1p0:comfort"
ORDER = "220"
ORIGINAL = "9"  # the purpose code of a first issue, not a copy or a change
# UN/ECE Recommendation 20 codes of the units offers are commonly sold in; any other unit is
# ordered as "one" (C62) and named in the product description.
_UNIT_CODES = {
    "day": "DAY", "hour": "HUR", "h": "HUR", "week": "WEE", "month": "MON", "year": "ANN",
    "m²": "MTK", "m2": "MTK", "sqm": "MTK", "square metre": "MTK", "square meter": "MTK",
    "unit": "C62", "piece": "C62", "item": "C62",
}  # fmt: skip


def unit_code(unit: str) -> str:
    """The UN/ECE Rec 20 code of a unit as offers name it ("days", "m²", "Hour")."""
    name = unit.strip().lower()
    return _UNIT_CODES.get(name) or _UNIT_CODES.get(name.removesuffix("s"), "C62")


def _price(agreement: Element, line: PurchaseLineView) -> None:
    """The gross unit price, the discount as a price allowance, and the net price, each to the
    cent; the line net stays the exact quantity × price × (1 − discount), rounded once."""
    gross = xml_el(agreement, RAM, "GrossPriceProductTradePrice")
    xml_el(gross, RAM, "ChargeAmount", format_cents(line.unit_price_cents))
    net_cents = to_cents(Decimal(line.unit_price_cents) * (100 - line.discount) / 100 / 100)
    if line.discount:
        allowance = xml_el(gross, RAM, "AppliedTradeAllowanceCharge")
        xml_el(xml_el(allowance, RAM, "ChargeIndicator"), ORDER_X.udt, "Indicator", "false")
        xml_el(allowance, RAM, "ActualAmount", format_cents(line.unit_price_cents - net_cents))
        xml_el(allowance, RAM, "Reason", f"Discount {format_percent(line.discount)} %")
    net = xml_el(agreement, RAM, "NetPriceProductTradePrice")
    xml_el(net, RAM, "ChargeAmount", format_cents(net_cents))


def _party(parent: Element, tag: str, who: PartyView) -> None:
    identity = LegalIdentity(
        who.company, who.address or "", who.registration_number or "", who.vat_id or "", who.email
    )
    xml_party(parent, tag, identity, ORDER_X)


def _tax(parent: Element, rate: Decimal) -> None:
    tax = xml_el(parent, RAM, "ApplicableTradeTax")
    xml_el(tax, RAM, "TypeCode", "VAT")
    # Standard rate when the line is taxed; zero-rated when it is not.
    xml_el(tax, RAM, "CategoryCode", "S" if rate > 0 else "Z")
    xml_el(tax, RAM, "RateApplicablePercent", format_percent(rate))


def _line(parent: Element, position: int, line: PurchaseLineView) -> None:
    item = xml_el(parent, RAM, "IncludedSupplyChainTradeLineItem")
    xml_el(xml_el(item, RAM, "AssociatedDocumentLineDocument"), RAM, "LineID", str(position))
    product = xml_el(item, RAM, "SpecifiedTradeProduct")
    xml_el(product, RAM, "Name", line.offer_name)
    description = line.description or line.offer_name
    xml_el(product, RAM, "Description", f"{description} (unit: {line.unit})")
    _price(xml_el(item, RAM, "SpecifiedLineTradeAgreement"), line)
    delivery = xml_el(item, RAM, "SpecifiedLineTradeDelivery")
    quantity = format_percent(line.quantity)  # a plain decimal, like the rates
    xml_el(delivery, RAM, "RequestedQuantity", quantity, unitCode=unit_code(line.unit))
    settlement = xml_el(item, RAM, "SpecifiedLineTradeSettlement")
    _tax(settlement, line.tax_rate)
    summation = xml_el(settlement, RAM, "SpecifiedTradeSettlementLineMonetarySummation")
    xml_el(summation, RAM, "LineTotalAmount", format_cents(line.net_cents))


def _settlement(parent: Element, pdf: PurchaseOrderPdf) -> None:
    settlement = xml_el(parent, RAM, "ApplicableHeaderTradeSettlement")
    xml_el(settlement, RAM, "OrderCurrencyCode", pdf.currency)
    totals = xml_el(settlement, RAM, "SpecifiedTradeSettlementHeaderMonetarySummation")
    tax_total = sum(tax.amount_cents for tax in pdf.tax.taxes)
    xml_el(totals, RAM, "LineTotalAmount", format_cents(pdf.total_cents))
    xml_el(totals, RAM, "TaxBasisTotalAmount", format_cents(pdf.total_cents))
    xml_el(totals, RAM, "TaxTotalAmount", format_cents(tax_total), currencyID=pdf.currency)
    xml_el(totals, RAM, "GrandTotalAmount", format_cents(pdf.total_cents + tax_total))


def purchase_order_xml(pdf: PurchaseOrderPdf) -> bytes:
    """The purchase order's Order-X XML (Comfort)."""
    root = ORDER_X.root("SCRDMCCBDACIOMessageStructure")
    context = xml_el(root, ORDER_X.rsm, "ExchangedDocumentContext")
    xml_el(xml_el(context, RAM, "GuidelineSpecifiedDocumentContextParameter"), RAM, "ID", COMFORT)
    document = xml_el(root, ORDER_X.rsm, "ExchangedDocument")
    xml_el(document, RAM, "ID", pdf.order_number)
    xml_el(document, RAM, "TypeCode", ORDER)
    xml_day(document, "IssueDateTime", pdf.issued_on, ORDER_X)
    xml_el(document, RAM, "PurposeCode", ORIGINAL)
    transaction = xml_el(root, ORDER_X.rsm, "SupplyChainTradeTransaction")
    for position, line in enumerate(pdf.lines, start=1):
        _line(transaction, position, line)
    agreement = xml_el(transaction, RAM, "ApplicableHeaderTradeAgreement")
    _party(agreement, "SellerTradeParty", pdf.supplier)
    _party(agreement, "BuyerTradeParty", pdf.buyer)
    quotation = xml_el(agreement, RAM, "QuotationReferencedDocument")
    xml_el(quotation, RAM, "IssuerAssignedID", pdf.quote_number)
    delivery = xml_el(transaction, RAM, "ApplicableHeaderTradeDelivery")
    # The standard wants a delivery address with its country: the store tells the country by
    # the VAT id only, so a client without one is named on the printed order alone.
    if has_country(pdf.client.vat_id or ""):
        _party(delivery, "ShipToTradeParty", pdf.client)
    _settlement(transaction, pdf)
    xml: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml
