"""A credit note cancels one commission invoice in full: Factur-X type 381 whose preceding
invoice reference (BT-25, BT-26) is that invoice, valid against the XSD, the EN 16931
Schematron and the French CTC rules (BR-FR)."""

from __future__ import annotations

from datetime import date

import facturx
from lxml import etree

from documents.credit_note import QDT, credit_note_cii_xml, render_credit_note_pdf
from documents.einvoice import RAM, RSM
from models.credit_notes import CreditNotePdf
from tests.pdf import pdf_text
from tests.schematron import BR_FR, EN16931, schematron_findings
from tests.unit.test_documents import make_invoice, needs_poppler


def make_credit_note(*, refund_due: bool = False) -> CreditNotePdf:
    return CreditNotePdf(
        number="CN-2026-00004",
        issued_on=date(2026, 3, 20),
        reason="the client withdrew",
        refund_due=refund_due,
        invoice=make_invoice(),
    )


def _text(root: etree._Element, path: str) -> str:
    found = root.xpath(path, namespaces={"rsm": RSM, "ram": RAM, "qdt": QDT})
    assert found, path
    return str(found[0].text)


def test_the_credit_note_is_type_381_and_references_the_invoice_it_cancels() -> None:
    root = etree.fromstring(credit_note_cii_xml(make_credit_note()))
    assert _text(root, "rsm:ExchangedDocument/ram:ID") == "CN-2026-00004"
    assert _text(root, "rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert _text(root, "rsm:ExchangedDocument/ram:IssueDateTime/*") == "20260320"
    reference = "//ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument"
    assert _text(root, f"{reference}/ram:IssuerAssignedID") == "C-2026-00011"
    assert _text(root, f"{reference}/ram:FormattedIssueDateTime/qdt:DateTimeString") == "20260309"
    assert _text(root, "//ram:DuePayableAmount") == "8.29"
    assert not root.xpath("//ram:SpecifiedTradeSettlementPaymentMeans", namespaces={"ram": RAM})


def test_the_embedded_credit_note_passes_the_xsd_and_the_en16931_schematron() -> None:
    name, xml = facturx.get_xml_from_pdf(render_credit_note_pdf(make_credit_note()))
    assert name == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert schematron_findings(xml, EN16931) == []
    assert schematron_findings(xml, BR_FR) == []


@needs_poppler
def test_the_credit_note_pdf_says_what_it_cancels_and_what_is_left_to_pay() -> None:
    unpaid = pdf_text(render_credit_note_pdf(make_credit_note()))
    for expected in (
        "Credit note", "CN-2026-00004", "Cancels invoice: C-2026-00011",
        "cancels commission invoice C-2026-00011 of 2026-03-09 in full",
        "Reason: the client withdrew", "Total credited 8.29 EUR",
        "Nothing is left to pay on invoice C-2026-00011",
    ):  # fmt: skip
        assert expected in unpaid
    paid = pdf_text(render_credit_note_pdf(make_credit_note(refund_due=True)))
    assert "was paid" in paid and "8.29 EUR is owed to" in paid
