"""Renders the quote, purchase-order, commission-invoice and statement PDFs, and stores them.

Pure functions over the views of `models.documents`: no database, no Temporal.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from reportlab.platypus import Flowable

from documents.atomic import uncancelled, write_atomically
from documents.einvoice import (
    invoice_cii_xml,
    invoice_platform,
    invoice_supplier,
    platform_identity,
)
from documents.layout import (
    CELL_PADDING,
    STYLES,
    WIDTH,
    Text,
    bold_lead,
    cell,
    day,
    gap,
    grid,
    header,
    identities,
    money,
    para,
    parties,
    percent,
    render,
    section,
    totals,
    widened,
)
from documents.layout import number as qty
from documents.orderx import purchase_order_xml
from documents.pdfa import facturx, orderx
from documents.statement import render_statement_pdf as render_statement_pdf
from documents.xsd import check_xsd
from models.documents import (
    AcceptanceView,
    FounderComponentView,
    InvoicePdf,
    LineView,
    PartyView,
    PlatformIdentity,
    PurchaseOrderPdf,
    QuotePdf,
    SupplierBlock,
    TaxSummary,
)
from models.invoice_mentions import invoice_mentions
from models.money import to_cents
from models.wording import position_runs, unit_of

_BILLING_NOTE = (
    "Each line is invoiced to you by its supplier, or by the seller where the line says so: "
    "the seller then buys it from its supplier for you."
)
_COMMISSION_NOTE = (
    "Each line's commission is its net times its commission rate, shown to the cent; the "
    "commission charged is their exact total, rounded once to the nearest cent (half to even)."
)
_UNRECORDED_TAX = (
    "This deal was quoted before tax rates were recorded: tax is shown as 0 and is stated on "
    "each supplier's invoice."
)
_QUOTE_WIDTHS = [22.0, 0.0, 30.0, 38.0, 56.0, 46.0, 28.0, 60.0]
_QUOTE_WIDTHS[1] = WIDTH - sum(_QUOTE_WIDTHS)
_FOUNDER_WIDTH = sum(_QUOTE_WIDTHS[1:])
_SUPPLIER_WIDTHS = [0.0, 110.0, 150.0, 60.0, 60.0]
_SUPPLIER_WIDTHS[0] = WIDTH - sum(_SUPPLIER_WIDTHS)
_PO_WIDTHS = [WIDTH - 292, 30, 48, 62, 46, 40, 66]
_INVOICE_WIDTHS = [WIDTH - 250, 70, 90, 90]


def render_quote_pdf(pdf: QuotePdf) -> bytes:
    validity = (
        f"This quote is valid until {day(pdf.valid_until)}."
        if pdf.valid_until
        else "The validity date is set when the quote is sent."
    )
    facts = [("Issued", day(pdf.issued_on)), ("Valid until", day(pdf.valid_until, "on sending"))]
    lines = [line for block in pdf.suppliers for line in block.lines]
    units = [unit_of(line.quantity, line.unit) for line in lines]
    quantities = [qty(line.quantity) for line in lines]
    # A long quantity or unit widens its own column, never running into the next one.
    widths = widened(widened(_QUOTE_WIDTHS, 3, units, into=1), 2, quantities, into=1)
    story: list[Flowable] = [
        header("Quote", f"{pdf.number} · revision {pdf.revision}", pdf.cluster_name, facts),
        gap(),
        parties(("From (seller)", pdf.seller), ("To (client)", pdf.client)),
        *(section("Note", para(pdf.note, "body")) if pdf.note.strip() else []),
        *section(f"Lines (amounts in {pdf.currency})"),
        _lines_table(pdf, widths),
        *section("By supplier", _by_supplier(pdf)),
        para(_BILLING_NOTE, "small"),
        *_tax_totals(pdf.total_cents, pdf.tax, pdf.currency),
        gap(),
        para(validity, "body"),
        *(section("Terms", para(pdf.terms, "body")) if pdf.terms.strip() else []),
        *_platform_note(pdf.platform),
        *(_acceptance_block(pdf.acceptance) if pdf.acceptance else []),
    ]
    footer = f"{pdf.cluster_name} · Quote {pdf.number} revision {pdf.revision}"
    return render(story, title=pdf.title, author=pdf.seller.company, footer=footer,
                  issued_on=pdf.issued_on)  # fmt: skip


def _tax_totals(net_cents: int, tax: TaxSummary, cur: str) -> list[Flowable]:
    """Net total, each rate's tax on its base, and the total with tax (R21)."""
    if tax.total_with_tax_cents != net_cents + sum(t.amount_cents for t in tax.taxes):
        raise ValueError("the total with tax is not the net total plus each rate's tax")
    rows = [("Total before tax", money(net_cents, cur))]
    rows += [
        (f"Tax {percent(t.rate)} on {money(t.base_cents)}", money(t.amount_cents, cur))
        for t in tax.taxes
    ]
    rows.append(("Total with tax", money(tax.total_with_tax_cents, cur)))
    return [totals(rows), *([] if tax.recorded else [para(_UNRECORDED_TAX, "small")])]


def _platform_note(platform: PartyView | None) -> list[Flowable]:
    if platform is None:
        return []
    address = (platform.address or "").replace("\n", ", ")
    return [gap(), para(
        f"Made through {platform.company}, {address} · Registration no. "
        f"{platform.registration_number} · VAT id {platform.vat_id}", "small",
    )]  # fmt: skip


def _acceptance_block(acceptance: AcceptanceView) -> list[Flowable]:
    """The client's signature on the signed copy: who, when, which revision, their PO."""
    rows = [
        ("Signed by", acceptance.signer_name),
        ("Accepted at", f"{acceptance.accepted_at:%Y-%m-%d %H:%M} UTC"),
        ("Revision", str(acceptance.revision)),
        ("Purchase order", acceptance.po_reference or "none given"),
        ("Order", acceptance.order_number),
    ]
    lines = [bold_lead(f"{label}: ", value, "body") for label, value in rows]
    return section("Accepted by the client", *lines)


def _lines_table(pdf: QuotePdf, widths: list[float]) -> Flowable:
    """Every line in the order the seller entered it, each with the company that supplies it
    (and who invoices it, when that is the seller) and the founder service it includes; the
    client never reads a procurement mode or an internal price.

    One row a line, with no spanning or unsplittable ranges: platypus measures those again for
    every cell at each page break, which made a long quote's table cost twice its drawing."""
    head = ["#", "Offer", "Qty", "Unit", "Unit price", "Discount", "Tax", "Net"]
    rows = [_line_cells(line, block, pdf, widths) for line, block in _entered_order(pdf)]
    return grid(head, rows, widths, numeric_from=2, extra=[("ALIGN", (3, 1), (3, -1), "LEFT")])


def _entered_order(pdf: QuotePdf) -> list[tuple[LineView, SupplierBlock]]:
    pairs = [(line, block) for block in pdf.suppliers for line in block.lines]
    return sorted(pairs, key=lambda pair: pair[0].position)


def _by_supplier(pdf: QuotePdf) -> Flowable:
    """Who supplies what the client buys, who invoices it, and each supplier's subtotal."""
    head = ["Supplier", "Contact", "Invoiced to you by", "Lines", "Net"]
    rows: list[list[Any]] = []
    for block in pdf.suppliers:
        billers = dict.fromkeys(_biller(line, block, pdf) for line in block.lines)
        positions = position_runs(sorted(line.position for line in block.lines))
        rows.append([
            cell(block.supplier_company, _SUPPLIER_WIDTHS[0]),
            cell(block.supplier_name, _SUPPLIER_WIDTHS[1]),
            cell(" and ".join(billers), _SUPPLIER_WIDTHS[2]),
            cell(positions, _SUPPLIER_WIDTHS[3]),
            money(block.subtotal_cents),
        ])  # fmt: skip
    return grid(
        head, rows, _SUPPLIER_WIDTHS, numeric_from=4, extra=[("ALIGN", (3, 1), (3, -1), "LEFT")]
    )


def _biller(line: LineView, block: SupplierBlock, pdf: QuotePdf) -> str:
    """Who invoices the client for a line: its supplier (direct) or the seller (resell)."""
    return pdf.seller.company if line.procurement == "resell" else block.supplier_company


def _line_cells(
    line: LineView, block: SupplierBlock, pdf: QuotePdf, widths: list[float]
) -> list[Any]:
    biller = _biller(line, block, pdf)
    by = (
        block.supplier_company
        if biller == block.supplier_company
        else (f"{block.supplier_company} · invoiced by {biller}")
    )
    unit = cell(unit_of(line.quantity, line.unit), widths[3], "unit")
    founder = line.founder_component
    # The founder's service runs on under the figures, as wide as the row from the offer on,
    # when those are one line high (always but for a unit that wraps); else under the offer.
    wide = _FOUNDER_WIDTH - 2 * CELL_PADDING if isinstance(unit, str) else widths[1]
    below = None if founder is None else (_founder_text(founder), STYLES["sub"], wide)
    return [
        str(line.position),
        Text((line.offer_name, STYLES["cell"]), (by, STYLES["small"]), below=below),
        qty(line.quantity),
        unit,
        money(line.unit_price_cents),
        percent(line.discount, blank_zero=True),
        percent(line.tax_rate),
        money(line.net_cents),
    ]


def _founder_text(fc: FounderComponentView) -> str:
    """The founder's service as the client reads it: what and by whom, never her price."""
    return (
        f"includes the service {fc.offer_name} by {fc.founder_name} · {qty(fc.quantity)} per unit"
    )


def render_purchase_order_pdf(pdf: PurchaseOrderPdf) -> bytes:
    """The purchase order as Order-X: a PDF/A-3 a person reads, with the same order as XML
    inside; the XML is checked against the Comfort XSD first, so an invalid order is never
    issued."""
    xml = purchase_order_xml(pdf)
    check_xsd(xml, "order-x", "comfort")
    footer = f"{pdf.buyer.company} · Purchase order {pdf.order_number}"
    subject = f"Order {pdf.order_number} of quote {pdf.quote_number}"
    return render(_purchase_order_story(pdf), title=pdf.title, author=pdf.buyer.company,
                  footer=footer, issued_on=pdf.issued_on, subject=subject,
                  keywords="Order-X, purchase order", hybrid=orderx(xml))  # fmt: skip


def _purchase_order_story(pdf: PurchaseOrderPdf) -> list[Flowable]:
    head = ["Offer", "Qty", "Unit", "Unit price", "Discount", "Tax", "Net"]
    widths = widened(_PO_WIDTHS, 2, [x.unit for x in pdf.lines], into=0)
    rows = [
        [cell(x.offer_name, widths[0]), qty(x.quantity), cell(x.unit, widths[2], "unit"),
         money(x.unit_price_cents), percent(x.discount, blank_zero=True), percent(x.tax_rate),
         money(x.net_cents)]
        for x in pdf.lines
    ]  # fmt: skip
    facts = [("Issued", day(pdf.issued_on)), ("Quote", pdf.quote_number)]
    client = pdf.client
    return [
        header("Purchase order", pdf.order_number, pdf.buyer.company, facts),
        gap(),
        parties(("Buyer", pdf.buyer), ("Supplier", pdf.supplier), ("Deliver to", client)),
        *section(f"Lines (amounts in {pdf.currency})"),
        grid(head, rows, widths, numeric_from=1, extra=[("ALIGN", (2, 1), (2, -1), "LEFT")]),
        *_tax_totals(pdf.total_cents, pdf.tax, pdf.currency),
        gap(),
        para(f"Please deliver to {client.company} ({client.name}, {client.email}) and invoice "
             f"{pdf.buyer.company}, quoting order {pdf.order_number}.", "body"),
        *_platform_note(pdf.platform),
    ]  # fmt: skip


def render_invoice_pdf(pdf: InvoicePdf) -> bytes:
    """The invoice as Factur-X: a PDF/A-3 a person reads, with the same invoice as XML inside;
    the XML is checked against the EN 16931 XSD first, so an invalid invoice is never issued."""
    xml = invoice_cii_xml(pdf)
    check_xsd(xml, "factur-x", "en16931")
    name = invoice_platform(pdf).legal_name
    return render(_invoice_story(pdf), title=pdf.title, author=name,
                  footer=f"{name} · {pdf.title}", issued_on=pdf.issued_on,
                  keywords="Factur-X, commission invoice", hybrid=facturx(xml))  # fmt: skip


def _invoice_story(pdf: InvoicePdf) -> list[Flowable]:
    head = ["Offer", "Line net", "Commission rate", "Commission"]
    rows = [
        [cell(x.offer_name, _INVOICE_WIDTHS[0]), money(x.net_cents), percent(x.commission_rate),
         money(to_cents(x.commission_cents / 100))]
        for x in pdf.lines
    ]  # fmt: skip
    facts = [("Issued", day(pdf.issued_on)), ("Due", day(pdf.due_on)),
             ("Order", pdf.order_number), ("Quote", pdf.quote_number)]  # fmt: skip
    platform = invoice_platform(pdf)
    cur = pdf.currency
    return [
        header("Commission invoice", pdf.number, platform.legal_name, facts),
        gap(),
        identities(("From", platform_identity(platform)),
                   ("Billed to (supplier)", invoice_supplier(pdf))),
        *section(f"Commission on the order (amounts in {cur})"),
        grid(head, rows, _INVOICE_WIDTHS, numeric_from=1),
        para(_COMMISSION_NOTE, "small"),
        totals([("Commission (before VAT)", money(pdf.amount_cents, cur)),
                (_tax_label(pdf), money(pdf.tax_cents, cur)),
                ("Total due", money(pdf.due_cents, cur))]),
        gap(),
        para(_payment_words(pdf, platform), "body"),
        *_legal_mentions(pdf, platform),
    ]  # fmt: skip


def _legal_mentions(pdf: InvoicePdf, platform: PlatformIdentity) -> list[Flowable]:
    """The mentions the law requires, worded as the XML's notes word them (R25)."""
    supply = f"Date of supply: {day(pdf.issued_on)} (the order's invoicing)."
    texts = [supply, *(mention.text for mention in invoice_mentions(platform))]
    return section("Terms and legal mentions", *(para(text, "small") for text in texts))


def _tax_label(pdf: InvoicePdf) -> str:
    if pdf.tax_rate == 0:
        return "VAT (none charged on this invoice)"
    return f"VAT at {percent(pdf.tax_rate)}"


def _payment_words(pdf: InvoicePdf, platform: PlatformIdentity) -> str:
    return (
        f"Please pay {money(pdf.due_cents, pdf.currency)} by {day(pdf.due_on)} by bank transfer "
        f"to {platform.legal_name}, IBAN {platform.iban}, BIC {platform.bic}, giving {pdf.number} "
        "as the payment reference."
    )


_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")


class DocumentStore:
    """Rendered documents as files under one root, addressed by keys like "quotes/Q-…-r1.pdf"."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key) or ".." in key:
            raise ValueError(f"invalid document key {key!r}: use relative names like a/b-1.pdf")
        return self.root / key

    def put(self, key: str, data: bytes) -> str:
        """Writes atomically, so a reader never sees half a file; rewriting a key replaces it."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, data)
        return key

    def get(self, key: str) -> bytes:
        with uncancelled():  # cancelled between its open and its close, the file would stay open
            return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()
