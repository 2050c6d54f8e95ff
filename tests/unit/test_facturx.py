"""Commission invoices are Factur-X (EN 16931): the package's own XSD check passes on the XML
embedded in the rendered PDF, and its totals are the invoice's to the cent."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from decimal import Decimal

import facturx
import pytest
from lxml import etree

from documents.einvoice import RAM, invoice_cii_xml
from documents.render import render_invoice_pdf
from models.documents import InvoicePdf, LegalIdentity, PostalAddress
from models.invoice_mentions import RECOVERY_INDEMNITY
from tests.schematron import BR_FR, EN16931, schematron_findings
from tests.unit.test_documents import PLATFORM, make_invoice


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


FRENCH_BUYER = LegalIdentity(
    "Atelier Lumière SARL", "3 quai Perrache, Lyon", "RCS Lyon 552 100 554", "FR40552100554",
    "compta@lumiere.example", "552100554", "55210055400013",
    PostalAddress(("3 quai Perrache", "Bâtiment B"), "69002", "Lyon", "FR"),
)  # fmt: skip


def _xml(invoice: InvoicePdf) -> bytes:
    return facturx.get_xml_from_pdf(render_invoice_pdf(invoice), check_xsd=True)[1]


@pytest.mark.parametrize("buyer", ["foreign", "french"])
@pytest.mark.parametrize("on_debits", [False, True])
def test_the_french_ctc_rules_find_nothing_fatal(buyer: str, on_debits: bool) -> None:
    invoice = make_invoice()
    platform = replace(PLATFORM, terms=replace(PLATFORM.terms, vat_on_debits=on_debits))
    identity = FRENCH_BUYER if buyer == "french" else invoice.supplier_identity
    xml = _xml(replace(invoice, platform=platform, supplier_identity=identity))
    assert schematron_findings(xml, BR_FR) == []
    assert schematron_findings(xml, EN16931) == []
    root = etree.fromstring(xml)
    due_type = root.findtext(f".//{{{RAM}}}ApplicableHeaderTradeSettlement/"
                             f"{{{RAM}}}ApplicableTradeTax/{{{RAM}}}DueDateTypeCode")  # fmt: skip
    assert due_type == ("5" if on_debits else "72")
    notes = {n.findtext(f"{{{RAM}}}SubjectCode"): n.findtext(f"{{{RAM}}}Content")
             for n in root.iter(f"{{{RAM}}}IncludedNote")}  # fmt: skip
    assert notes["BAR"] == ("B2B" if buyer == "french" else "B2BINT")
    assert ("VAT paid on debits" in notes["AAI"]) is on_debits
    assert notes["PMT"] == RECOVERY_INDEMNITY


def test_the_sirens_schemes_and_addresses_are_structured() -> None:
    xml = _xml(replace(make_invoice(), supplier_identity=FRENCH_BUYER))
    buyer = etree.fromstring(xml).find(f".//{{{RAM}}}BuyerTradeParty")
    assert buyer is not None
    found = {
        "siren": buyer.find(f"{{{RAM}}}SpecifiedLegalOrganization/{{{RAM}}}ID"),
        "siret": buyer.find(f"{{{RAM}}}GlobalID"),
        "address": buyer.find(f"{{{RAM}}}URIUniversalCommunication/{{{RAM}}}URIID"),
    }
    assert {k: (v.text, v.get("schemeID")) for k, v in found.items() if v is not None} == {
        "siren": ("552100554", "0002"), "siret": ("55210055400013", "0009"),
        "address": ("552100554", "0225"),
    }  # fmt: skip
    postal = buyer.find(f"{{{RAM}}}PostalTradeAddress")
    assert postal is not None
    assert [(child.tag.split("}")[1], child.text) for child in postal] == [
        ("PostcodeCode", "69002"), ("LineOne", "3 quai Perrache"), ("LineTwo", "Bâtiment B"),
        ("CityName", "Lyon"), ("CountryID", "FR"),
    ]  # fmt: skip


def test_the_french_rules_name_a_missing_seller_siren() -> None:
    xml = invoice_cii_xml(replace(make_invoice(), platform=replace(PLATFORM, siren="")))
    assert any("BR-FR-10" in finding for finding in schematron_findings(xml, BR_FR))
