"""A payout's self-billed invoice (autofacturation) for each VAT regime: Factur-X XML that the
EN 16931 XSD and Schematron accept, and the French CTC rules (BR-FR Flux 2) for a member in
France; the printed words French law asks for; amounts to the cent; the account masked."""

from __future__ import annotations

from datetime import date

import facturx
import pytest
from lxml import etree

from documents.einvoice import RAM
from documents.self_billed import render_self_billed_pdf, self_billed_cii_xml
from models.identity import LegalIdentity, PlatformIdentity, SellerTerms, postal_address
from models.self_billing import SelfBilledPdf, VatRegime
from tests.pdf import pdf_text
from tests.schematron import BR_FR, EN16931, schematron_findings

PLATFORM = PlatformIdentity(
    "Arkanna SAS", "12 rue de la Paix, 75002 Paris", "RCS Paris 901 234 567", "FR12901234567",
    "FR7630006000011234567890189", "AGRIFRPP", "901234567", "90123456700013",
    postal_address(("12 rue de la Paix", ""), "75002", "Paris", "FR"),
    SellerTerms("SAS", "10 000 EUR", False, "Late payment: ECB rate + 10 points.", "No discount."),
)  # fmt: skip
IN_FRANCE = LegalIdentity(
    "Alice Ltd", "3 quai Perrache, Lyon", "RCS Lyon 552 100 554", "FR40552100554",
    "alice@members.example.com", "552100554", "",
    postal_address(("3 quai Perrache", ""), "69002", "Lyon", "FR"),
)  # fmt: skip
ABROAD = LegalIdentity(
    "Bob GmbH", "9 Hafenweg, Bremen", "HRB 7771 Bremen", "DE219876543", "bob@members.example.com",
    "", "", postal_address(("9 Hafenweg", ""), "28195", "Bremen", "DE"),
)  # fmt: skip
IBAN = "FR1420041010050500013M02606"


def invoice(seller: LegalIdentity, regime: VatRegime, net: int = 12_345) -> SelfBilledPdf:
    return SelfBilledPdf(
        "SB-3-2026-00001", date(2026, 12, 7), "2026-11", seller, PLATFORM, regime, net, "EUR",
        IBAN, "PSSTFRPP",
    )  # fmt: skip


CASES = [
    (IN_FRANCE, VatRegime.FRENCH_VAT, "S", "24.69", "148.14"),
    (IN_FRANCE, VatRegime.FRANCHISE, "E", "0.00", "123.45"),
    (ABROAD, VatRegime.EU_REVERSE_CHARGE, "AE", "0.00", "123.45"),
]


@pytest.mark.parametrize(("seller", "regime", "category", "vat", "total"), CASES)
def test_each_regime_is_a_valid_self_billed_invoice(
    seller: LegalIdentity, regime: VatRegime, category: str, vat: str, total: str
) -> None:
    xml = self_billed_cii_xml(invoice(seller, regime))
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert schematron_findings(xml, EN16931) == []
    if seller.siren:
        # BR-FR governs invoices between French companies; one in the name of a member
        # abroad is outside the e-invoicing mandate (it is e-reported).
        assert schematron_findings(xml, BR_FR) == []
    root = etree.fromstring(xml)
    assert root.findtext(f".//{{{RAM}}}TypeCode") == "389"
    assert root.findtext(f".//{{{RAM}}}ApplicableHeaderTradeSettlement/{{{RAM}}}"
                         f"ApplicableTradeTax/{{{RAM}}}CategoryCode") == category  # fmt: skip
    assert root.findtext(f".//{{{RAM}}}TaxTotalAmount") == vat
    assert root.findtext(f".//{{{RAM}}}GrandTotalAmount") == total
    notes = [n.text or "" for n in root.iter(f"{{{RAM}}}Content")]
    assert any(n.startswith("Autofacturation") for n in notes)
    seller_party = root.find(f".//{{{RAM}}}SellerTradeParty")
    assert seller_party is not None and seller_party.findtext(f"{{{RAM}}}Name") == seller.legal_name


@pytest.mark.parametrize(("seller", "regime", "category", "vat", "total"), CASES)
def test_the_printed_invoice_says_what_the_law_asks(
    seller: LegalIdentity, regime: VatRegime, category: str, vat: str, total: str
) -> None:
    pdf = render_self_billed_pdf(invoice(seller, regime))
    text = " ".join(pdf_text(pdf).split())
    _, embedded = facturx.get_xml_from_pdf(pdf)
    assert embedded == self_billed_cii_xml(invoice(seller, regime))
    for words in ("Autofacturation", seller.legal_name, "SB-3-2026-00001", f"{total} EUR",
                  "article 289 I-2", "FR14 •••• 2606"):  # fmt: skip
        assert words in text, words
    assert IBAN not in text
    if regime == VatRegime.FRANCHISE:
        assert "art. 293 B du CGI" in text
    if regime == VatRegime.EU_REVERSE_CHARGE:
        assert "Autoliquidation" in text
