"""The UN/CEFACT vocabulary the invoice (CII) and the order (Order-X) XML share: namespaces,
the two element builders, and an invoice's header settlement (paid by credit transfer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree

from models.money import format_cents

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"

Element = Any  # an lxml element: the package ships no type hints
CREDIT_TRANSFER = "58"  # UNTDID 4461


@dataclass(frozen=True)
class Vocabulary:
    """The namespaces of one UN/CEFACT message: the invoice's (CII) and the order's (Order-X)
    spell the same trade parties and dates in different versions of the same vocabulary."""

    rsm: str
    ram: str
    udt: str

    def root(self, tag: str) -> Element:
        return etree.Element(
            f"{{{self.rsm}}}{tag}", nsmap={"rsm": self.rsm, "ram": self.ram, "udt": self.udt}
        )


CII = Vocabulary(RSM, RAM, UDT)


def xml_el(parent: Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> Element:
    child = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        child.text = text
    return child


def xml_day(parent: Element, tag: str, value: date, words: Vocabulary = CII) -> None:
    holder = xml_el(parent, words.ram, tag)
    xml_el(holder, words.udt, "DateTimeString", value.strftime("%Y%m%d"), format="102")


@dataclass(frozen=True)
class Settlement:
    """What an invoice's header settlement says: its payment reference (BT-83), where the
    transfer goes (BT-84, BT-86), the terms (BT-20) and due day (BT-9), and the totals."""

    reference: str
    currency: str
    iban: str
    bic: str | None
    terms: str
    due_on: date
    net_cents: int
    tax_cents: int
    total_cents: int


def xml_settlement(parent: Element, paid: Settlement, tax: Callable[[Element], None]) -> None:
    """The invoice's ApplicableHeaderTradeSettlement, in the order the XSD wants; `tax` writes
    its VAT breakdown where the breakdown goes."""
    settlement = xml_el(parent, RAM, "ApplicableHeaderTradeSettlement")
    xml_el(settlement, RAM, "PaymentReference", paid.reference)
    xml_el(settlement, RAM, "InvoiceCurrencyCode", paid.currency)
    means = xml_el(settlement, RAM, "SpecifiedTradeSettlementPaymentMeans")
    xml_el(means, RAM, "TypeCode", CREDIT_TRANSFER)
    xml_el(xml_el(means, RAM, "PayeePartyCreditorFinancialAccount"), RAM, "IBANID", paid.iban)
    if paid.bic:
        institution = xml_el(means, RAM, "PayeeSpecifiedCreditorFinancialInstitution")
        xml_el(institution, RAM, "BICID", paid.bic)
    tax(settlement)
    terms = xml_el(settlement, RAM, "SpecifiedTradePaymentTerms")
    xml_el(terms, RAM, "Description", paid.terms)
    xml_day(terms, "DueDateDateTime", paid.due_on)
    totals = xml_el(settlement, RAM, "SpecifiedTradeSettlementHeaderMonetarySummation")
    net, total = format_cents(paid.net_cents), format_cents(paid.total_cents)
    xml_el(totals, RAM, "LineTotalAmount", net)
    xml_el(totals, RAM, "TaxBasisTotalAmount", net)
    xml_el(totals, RAM, "TaxTotalAmount", format_cents(paid.tax_cents), currencyID=paid.currency)
    xml_el(totals, RAM, "GrandTotalAmount", total)
    xml_el(totals, RAM, "DuePayableAmount", total)
