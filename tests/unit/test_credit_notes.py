"""A credit note cancels one commission invoice in full, or corrects part of it: Factur-X type
381 whose preceding invoice reference (BT-25, BT-26) is that invoice, valid against the XSD, the
EN 16931 Schematron and the French CTC rules (BR-FR); a partial credit is split into commission
and VAT as the invoice taxed it, half-even, in whole cents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import facturx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from documents.credit_note import QDT, credit_note_cii_xml, render_credit_note_pdf
from documents.einvoice import RAM, RSM
from models.credit_notes import Credited, CreditNotePdf, check_correction, split_credit
from models.documents import InvoicePdf
from models.errors import Conflict, RuleViolation
from models.money import format_cents, tax_cents
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


def make_correction(total_cents: int = 300) -> CreditNotePdf:
    invoice = make_invoice()
    credited = split_credit(total_cents, invoice.tax_rate, _whole(invoice))
    return CreditNotePdf(
        number="CN-2026-00005",
        issued_on=date(2026, 3, 25),
        reason="commission rate was 5 %, not 7.5 %",
        refund_due=True,
        invoice=invoice,
        credited=credited,
        correction=True,
    )


def _whole(invoice: InvoicePdf) -> Credited:
    return Credited(invoice.amount_cents, invoice.tax_cents)


def test_a_correction_carries_its_own_amounts_and_passes_every_rule() -> None:
    note = make_correction()
    root = etree.fromstring(credit_note_cii_xml(note))
    assert note.amounts.total_cents == 300
    assert _text(root, "//ram:DuePayableAmount") == "3.00"
    assert _text(root, "//ram:TaxBasisTotalAmount") == format_cents(note.amounts.amount_cents)
    assert _text(root, "//ram:TaxTotalAmount") == format_cents(note.amounts.tax_cents)
    assert _text(root, "//ram:IncludedSupplyChainTradeLineItem//ram:LineTotalAmount") == (
        format_cents(note.amounts.amount_cents)
    )
    _, xml = facturx.get_xml_from_pdf(render_credit_note_pdf(note))
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert schematron_findings(xml, EN16931) == []
    assert schematron_findings(xml, BR_FR) == []


@needs_poppler
def test_the_correction_pdf_says_it_corrects_the_invoice_in_part() -> None:
    text = pdf_text(render_credit_note_pdf(make_correction()))
    for expected in ("Corrects invoice: C-2026-00011", "corrects commission invoice C-2026-00011",
                     "in part", "Total credited 3.00 EUR", "3.00 EUR is owed to"):  # fmt: skip
        assert expected in text, expected


@pytest.mark.parametrize(
    ("amount", "rate", "left", "split"),
    [
        (1200, "20", (10_000, 2_000), (1000, 200)),  # exact
        (3, "20", (10_000, 2_000), (2, 1)),  # 2.5 → 2, the even neighbour
        (9, "20", (10_000, 2_000), (8, 1)),  # 7.5 → 8, the even neighbour
        (1234, "0", (10_000, 0), (1234, 0)),  # no VAT charged: all commission
        (12_000, "20", (10_000, 2_000), (10_000, 2_000)),  # all that is left: exactly that
        (5, "20", (3, 2), (3, 2)),  # all that is left, however it rounds
        (4, "20", (3, 2), (3, 1)),  # never more commission than is left
        (4, "20", (10, 0), (4, 0)),  # never more VAT than is left
    ],
)
def test_a_partial_credit_splits_as_the_invoice_taxed_it_half_even(
    amount: int, rate: str, left: tuple[int, int], split: tuple[int, int]
) -> None:
    assert split_credit(amount, Decimal(rate), Credited(*left)) == Credited(*split)


@given(
    net=st.integers(1, 10**9),
    rate=st.sampled_from(["0", "5.5", "10", "20", "8.5"]),
    asked=st.lists(st.integers(1, 10**9), max_size=6),
)
def test_partial_credits_add_up_and_never_exceed_what_is_left(
    net: int, rate: str, asked: list[int]
) -> None:
    """Corrections of any sizes, then one for all that is left: the invoice nets to zero."""
    left = Credited(net, tax_cents(net, Decimal(rate)))
    for wanted in [*asked, net * 2]:
        amount = min(wanted, left.total_cents)
        if amount == 0:
            continue
        credit = split_credit(amount, Decimal(rate), left)
        assert credit.total_cents == amount
        assert 0 <= credit.amount_cents <= left.amount_cents
        assert 0 <= credit.tax_cents <= left.tax_cents
        left = Credited(left.amount_cents - credit.amount_cents, left.tax_cents - credit.tax_cents)
    assert left == Credited(0, 0)


@pytest.mark.parametrize(
    ("amount", "left", "error", "words"),
    [
        (0, Credited(100, 20), RuleViolation, "amount: must be greater than 0"),
        (-5, Credited(100, 20), RuleViolation, "amount: must be greater than 0"),
        (121, Credited(100, 20), RuleViolation, "amount: must be at most 1.20"),
        (1, Credited(0, 0), Conflict, "already cancelled in full"),
    ],
)
def test_a_correction_out_of_bounds_is_refused(
    amount: int, left: Credited, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        check_correction(amount, left)
    check_correction(left.total_cents or 1, left if left.total_cents else Credited(1, 0))
