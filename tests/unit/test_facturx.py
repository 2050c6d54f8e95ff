"""Commission invoices are Factur-X (EN 16931): the package's own XSD check passes on the XML
embedded in the rendered PDF, and its totals are the invoice's to the cent."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import facturx
import pytest
from lxml import etree

from documents.einvoice import RAM, invoice_cii_xml
from documents.render import render_invoice_pdf
from tests.schematron import EN16931, schematron_findings
from tests.unit.test_documents import make_invoice


def _totals(xml: bytes) -> dict[str, str]:
    root = ET.fromstring(xml)
    summation = root.find(f".//{{{RAM}}}SpecifiedTradeSettlementHeaderMonetarySummation")
    assert summation is not None
    return {child.tag.split("}")[1]: child.text or "" for child in summation}


@pytest.mark.parametrize(("rate", "tax"), [("20", 138), ("0", 0), ("5.5", 38)])
def test_the_embedded_xml_passes_the_en16931_xsd_and_carries_the_invoice_totals(
    rate: str, tax: int
) -> None:
    invoice = make_invoice(rate, tax)
    name, xml = facturx.get_xml_from_pdf(render_invoice_pdf(invoice), check_xsd=True)
    assert name == "factur-x.xml"
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    totals = _totals(xml)
    assert Decimal(totals["TaxBasisTotalAmount"]) * 100 == invoice.amount_cents
    assert Decimal(totals["TaxTotalAmount"]) * 100 == invoice.tax_cents
    assert Decimal(totals["GrandTotalAmount"]) * 100 == invoice.due_cents
    assert Decimal(totals["DuePayableAmount"]) * 100 == invoice.due_cents
    assert schematron_findings(xml, EN16931) == []


def test_the_schematron_names_what_a_broken_invoice_breaks() -> None:
    # The tax total must be the sum of the tax of each rate (BR-CO-14).
    xml = invoice_cii_xml(make_invoice()).replace(
        b'<ram:TaxTotalAmount currencyID="EUR">1.38<', b'<ram:TaxTotalAmount currencyID="EUR">1.39<'
    )
    assert any("BR-CO-14" in finding for finding in schematron_findings(xml, EN16931))


def test_an_invalid_invoice_is_refused_by_the_xsd_check() -> None:
    # The currency is mandatory in the standard: without it the XSD check must fail.
    xml = invoice_cii_xml(make_invoice()).replace(
        b"<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>", b""
    )
    with pytest.raises(Exception, match="not valid against the official XML Schema Definition"):
        facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
