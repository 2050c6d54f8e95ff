"""The credit note that cancels a commission invoice, as Factur-X (EN 16931, type 381).

Its XML is the credited invoice's, re-issued under the credit note's number and date with the
amounts it credits, the type 381 and the invoice as the preceding invoice reference (BT-25,
BT-26); amounts stay positive, as the standard has them on a credit note. It carries no payment
means: nothing is paid to the platform on it. A correction credits part of the invoice, split
into commission and VAT as the invoice charged them (models/credit_notes.py, split_credit).
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree
from reportlab.platypus import Flowable

from documents.einvoice import (
    RAM,
    RSM,
    Element,
    invoice_cii_xml,
    invoice_platform,
    invoice_supplier,
    platform_identity,
    xml_el,
)
from documents.layout import day, gap, header, identities, money, para, render, totals
from documents.pdfa import facturx
from documents.xsd import check_xsd
from models.credit_notes import CREDIT_NOTE, CreditNotePdf

QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"


def credit_note_cii_xml(note: CreditNotePdf) -> bytes:
    """The credit note's Cross-Industry-Invoice XML (EN 16931)."""
    credited = note.amounts
    amounts = replace(
        note.invoice, amount_cents=credited.amount_cents, tax_cents=credited.tax_cents
    )
    root = etree.fromstring(invoice_cii_xml(amounts))
    document = root.find(f"{{{RSM}}}ExchangedDocument")
    document.find(f"{{{RAM}}}ID").text = note.number
    document.find(f"{{{RAM}}}TypeCode").text = CREDIT_NOTE
    stamp = document.find(f"{{{RAM}}}IssueDateTime/*")
    stamp.text = note.issued_on.strftime("%Y%m%d")
    settlement = root.find(f".//{{{RAM}}}ApplicableHeaderTradeSettlement")
    settlement.find(f"{{{RAM}}}PaymentReference").text = note.number
    for means in settlement.findall(f"{{{RAM}}}SpecifiedTradeSettlementPaymentMeans"):
        settlement.remove(means)
    _preceding_invoice(settlement, note)
    xml: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def _preceding_invoice(settlement: Element, note: CreditNotePdf) -> None:
    """BG-3 after the header totals, where the CII schema places it."""
    totals_tag = f"{{{RAM}}}SpecifiedTradeSettlementHeaderMonetarySummation"
    reference = etree.Element(f"{{{RAM}}}InvoiceReferencedDocument")
    settlement.find(totals_tag).addnext(reference)
    xml_el(reference, RAM, "IssuerAssignedID", note.invoice.number)
    stamp = xml_el(reference, RAM, "FormattedIssueDateTime")
    xml_el(stamp, QDT, "DateTimeString", note.invoice.issued_on.strftime("%Y%m%d"), format="102")


def render_credit_note_pdf(note: CreditNotePdf) -> bytes:
    """The credit note as Factur-X: the page a person reads, with its XML inside; the XML is
    checked against the EN 16931 XSD first, so an invalid credit note is never issued."""
    xml = credit_note_cii_xml(note)
    check_xsd(xml, "factur-x", "en16931")
    invoice = note.invoice
    name = invoice_platform(invoice).legal_name
    return render(
        _story(note), title=note.title, author=name, footer=f"{name} · {note.title}",
        issued_on=note.issued_on, keywords="Factur-X, credit note", hybrid=facturx(xml),
    )  # fmt: skip


def _story(note: CreditNotePdf) -> list[Flowable]:
    invoice, credited = note.invoice, note.amounts
    platform = invoice_platform(invoice)
    cur = invoice.currency
    what = "Corrects invoice" if note.correction else "Cancels invoice"
    facts = [("Issued", day(note.issued_on)), (what, invoice.number),
             ("Invoice date", day(invoice.issued_on)), ("Order", invoice.order_number)]  # fmt: skip
    story: list[Flowable] = [
        header("Credit note", note.number, platform.legal_name, facts),
        gap(),
        identities(("From", platform_identity(platform)),
                   ("Credited to (supplier)", invoice_supplier(invoice))),
        gap(),
        para(_purpose_words(note), "body"),
        totals([("Commission credited (before VAT)", money(credited.amount_cents, cur)),
                ("VAT credited", money(credited.tax_cents, cur)),
                ("Total credited", money(credited.total_cents, cur))]),
        gap(),
        para(_settlement_words(note), "body"),
    ]  # fmt: skip
    return story


def _purpose_words(note: CreditNotePdf) -> str:
    invoice = note.invoice
    of = f"commission invoice {invoice.number} of {day(invoice.issued_on)}"
    if note.correction:
        return f"This credit note corrects {of} in part. Reason: {note.reason}."
    if note.amounts.total_cents != invoice.due_cents:
        return f"This credit note cancels what its corrections left of {of}. Reason: {note.reason}."
    return f"This credit note cancels {of} in full. Reason: {note.reason}."


def _settlement_words(note: CreditNotePdf) -> str:
    invoice = note.invoice
    total = money(note.amounts.total_cents, invoice.currency)
    if note.correction:
        paid = (
            "was paid"
            if note.refund_due
            else "is still paid in full (partial payments are refused)"
        )
        return f"Invoice {invoice.number} {paid}: {total} is owed to {invoice.supplier.company}."
    if note.refund_due:
        return (
            f"Invoice {invoice.number} was paid: the commission shared on it is taken back, and "
            f"{total} is owed to {invoice.supplier.company}."
        )
    return f"Nothing is left to pay on invoice {invoice.number}: do not pay it."
