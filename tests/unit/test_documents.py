"""The PDFs read right (checked through poppler's own text extraction) and the store is safe."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from documents.layout import FONT, money
from documents.render import (
    DocumentStore,
    render_invoice_pdf,
    render_purchase_order_pdf,
    render_quote_pdf,
    render_statement_pdf,
)
from models.documents import (
    CommissionLineView,
    FounderComponentView,
    InvoicePdf,
    LegalIdentity,
    LineView,
    PartyView,
    PlatformIdentity,
    PostalAddress,
    PurchaseLineView,
    PurchaseOrderPdf,
    QuotePdf,
    SellerTerms,
    StatementPdf,
    SupplierBlock,
    TaxSummary,
    TaxView,
    tax_summary,
)
from models.statements import Movement, StatementKind, StatementRow, StatementSection
from tests.pdf import pdf_text, pdf_words

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils (pdftotext, pdfinfo) not installed: apt-get install -y poppler-utils",
)

SELLER = PartyView("Sam Seller", "Seller AG", "sam@seller.example")
CLIENT = PartyView("Cleo Client", "Client SA", "cleo@client.example")
SUPPLIER = PartyView("Sue Supplier", "Machines R&D <GmbH>", "sue@machines.example")
FOUNDER = FounderComponentView("Cluster onboarding", "Nora Founder", Decimal("2.5"), 1250)


def pdf_info(data: bytes) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    pairs = (line.split(":", 1) for line in out.stdout.decode().splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def make_line(position: int, name: str, **overrides: Any) -> LineView:
    line = LineView(position, name, "day", Decimal("2.5"), 49_380, Decimal("10"), 111_105,
                    "direct", FOUNDER)  # fmt: skip
    return replace(line, **overrides)


def make_quote(lines_per_supplier: int = 1, **overrides: Any) -> QuotePdf:
    machines = tuple(
        make_line(i + 1, f"Press maintenance {i + 1}") for i in range(lines_per_supplier)
    )
    resold = make_line(
        lines_per_supplier + 1, "Laser calibration", unit="visit", quantity=Decimal("1"),
        unit_price_cents=1_234_567, discount=Decimal("0"), net_cents=1_234_567,
        procurement="resell",
    )  # fmt: skip
    founder_line = make_line(
        lines_per_supplier + 2, "Cluster onboarding", unit="hour", quantity=Decimal("3"),
        unit_price_cents=9_000, discount=Decimal("12.5"), net_cents=23_625,
        founder_component=None,
    )  # fmt: skip
    quote = QuotePdf(
        cluster_name="Rhine Valley Industrials", currency="EUR", number="Q-2026-00007",
        revision=2, issued_on=date(2026, 3, 2), valid_until=date(2026, 4, 1), seller=SELLER,
        client=CLIENT, note="Installation included.", terms="Payment within 30 days.",
        total_cents=111_105 * lines_per_supplier + 1_234_567 + 23_625,
        suppliers=(
            SupplierBlock("Sue Supplier", "Machines R&D <GmbH>", machines,
                          111_105 * lines_per_supplier),
            SupplierBlock("Lars Laser", "Laser Works", (resold,), 1_234_567),
            SupplierBlock("Nora Founder", "Founder Co", (founder_line,), 23_625),
        ),
    )  # fmt: skip
    quote = replace(quote, **overrides)
    if "tax" in overrides:
        return quote
    nets = [(line.net_cents, line.tax_rate) for block in quote.suppliers for line in block.lines]
    return replace(quote, tax=tax_summary(nets, quote.total_cents))


@pytest.mark.parametrize(
    ("cents", "currency", "text"),
    [
        (0, "", "0.00"),
        (5, "", "0.05"),
        (123_456, "EUR", "1 234.56 EUR"),
        (-123_456, "", "-1 234.56"),
        (100_000_000, "", "1 000 000.00"),
        (Decimal("15432.125"), "", "154.32125"),
        (Decimal("-0.4"), "", "-0.004"),
    ],
)
def test_money_is_grouped_by_thousands_and_keeps_exact_fractions(
    cents: int | Decimal, currency: str, text: str
) -> None:
    assert money(cents, currency) == text


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_money_text_reads_back_to_the_same_cents(cents: int) -> None:
    assert int(money(cents).replace(" ", "").replace(".", "")) == cents


@needs_poppler
def test_quote_pdf_shows_identity_parties_suppliers_and_validity() -> None:
    text = pdf_text(render_quote_pdf(make_quote()))
    for expected in (
        "Quote", "Q-2026-00007 · revision 2", "Rhine Valley Industrials", "Seller AG",
        "Sam Seller", "Client SA", "Cleo Client", "cleo@client.example",
        "Machines R&D <GmbH>", "Laser Works", "Founder Co", "Valid until: 2026-04-01",
        "This quote is valid until 2026-04-01.", "Payment within 30 days.",
        "Installation included.", "invoiced to you by", "page 1 of 1",
    ):  # fmt: skip
        assert expected in text
    # What the client must not read: procurement modes, the founder's price, commissions.
    for internal in ("Direct", "Resell", "resell", "founder's price", "12.50", "ommission"):
        assert internal not in text, internal


@needs_poppler
def test_quote_pdf_lists_founder_component_under_its_line() -> None:
    text = pdf_text(render_quote_pdf(make_quote()))
    founder = "includes the service Cluster onboarding by Nora Founder · 2.5 per unit"
    assert text.index("Press maintenance 1") < text.index(founder) < text.index("Laser Works")
    assert text.count("includes the service") == 2  # the founder's own line embeds none


@needs_poppler
def test_quote_pdf_shows_discounts_and_exact_money() -> None:
    text = pdf_text(render_quote_pdf(make_quote()))
    assert "1 Press maintenance 1 2.5 days 493.80 10% 0% 1 111.05" in text
    assert "2 Laser calibration 1 visit 12 345.67 – 0% 12 345.67" in text
    assert "3 Cluster onboarding 3 hours 90.00 12.5% 0% 236.25" in text
    assert "Machines R&D <GmbH> Sue Supplier Machines R&D <GmbH> 1 1 111.05" in text
    assert "Laser Works Lars Laser Seller AG 2 12 345.67" in text  # resold: the seller invoices
    assert "Total before tax 13 692.97 EUR" in text


@needs_poppler
def test_quote_pdf_lists_lines_in_the_order_the_seller_entered_them() -> None:
    """Suppliers' lines interleaved as entered: one table in that order, each line with its
    supplier, and who invoices it when the seller resells it."""
    quote = make_quote(lines_per_supplier=2)
    machines, laser, founder = quote.suppliers
    first, second = machines.lines
    machines = replace(machines, lines=(replace(first, position=1), replace(second, position=4)))
    laser = replace(laser, lines=(replace(laser.lines[0], position=2),))
    founder = replace(founder, lines=(replace(founder.lines[0], position=3),))
    text = pdf_text(render_quote_pdf(replace(quote, suppliers=(machines, laser, founder))))
    entered = [
        "1 Press maintenance 1", "2 Laser calibration", "3 Cluster onboarding",
        "4 Press maintenance 2", "By supplier",
    ]  # fmt: skip
    spots = [text.index(words) for words in entered]
    assert spots == sorted(spots), text
    assert "Laser Works · invoiced by Seller AG" in text
    assert "Machines R&D <GmbH> Sue Supplier Machines R&D <GmbH> 1, 4 2 222.10" in text


@needs_poppler
def test_long_offer_names_wrap_and_keep_their_markup_characters() -> None:
    name = "Hydraulic press maintenance & <annual> inspection, spare parts and travel included"
    block = SupplierBlock("Sue Supplier", "Machines", (make_line(1, name),), 111_105)
    text = pdf_text(render_quote_pdf(make_quote(suppliers=(block,), total_cents=111_105)))
    assert "Hydraulic press maintenance & <annual>" in text and "inspection, spare" in text
    assert "travel included" in text


@needs_poppler
@pytest.mark.skipif(FONT == "Helvetica", reason="DejaVu Sans not installed (fonts-dejavu-core)")
def test_names_outside_latin_1_print_as_written() -> None:
    client = PartyView("Łukasz Żółw", "Łódź Fabryka Sp. z o.o.", "lz@fabryka.example")
    text = pdf_text(render_quote_pdf(make_quote(client=client)))
    assert "Łódź Fabryka Sp. z o.o." in text and "Łukasz Żółw" in text


@needs_poppler
def test_unsent_quote_says_validity_is_set_on_sending() -> None:
    text = pdf_text(render_quote_pdf(make_quote(valid_until=None, note="")))
    assert "Valid until: on sending" in text
    assert "The validity date is set when the quote is sent." in text
    assert "Note" not in text


@needs_poppler
def test_long_quote_numbers_its_pages_and_repeats_supplier_heading() -> None:
    data = render_quote_pdf(make_quote(lines_per_supplier=60))
    pages = int(pdf_info(data)["Pages"])
    text = pdf_text(data)
    assert pages > 1
    assert f"page 1 of {pages}" in text and f"page {pages} of {pages}" in text
    # The lines' header repeats on every page the table runs over (all but the last).
    assert text.count("# Offer Qty Unit Unit price Discount Tax Net") >= pages - 1
    assert "Total before tax 79 244.92 EUR" in text


@needs_poppler
def test_quote_pdf_carries_its_title_and_renders_identically() -> None:
    quote = make_quote()
    data = render_quote_pdf(quote)
    assert pdf_info(data)["Title"] == "Quote Q-2026-00007 revision 2"
    assert render_quote_pdf(quote) == data


def _gap_after(words: list[tuple[str, float, float, float]], word: str, following: str) -> float:
    """Points between the end of `word` and the start of the next word on its line, which
    must be `following`."""
    _, left, right, top = next(w for w in words if w[0] == word)
    after = sorted((w for w in words if abs(w[3] - top) < 2 and w[1] > left), key=lambda w: w[1])
    assert after and after[0][0] == following, after[:2]
    return after[0][1] - right


@needs_poppler
def test_a_long_quantity_widens_its_column_instead_of_running_into_the_unit() -> None:
    name = "Structured cabling for every floor and every office of the building, patch panels"
    many = make_line(1, name, quantity=Decimal("123456789.1234"), unit="metre")
    machines = replace(make_quote().suppliers[0], lines=(many,))
    words = pdf_words(render_quote_pdf(make_quote(suppliers=(machines,))))
    _, left, _, top = next(w for w in words if w[0] == "123456789.1234")
    before = max((w for w in words if abs(w[3] - top) < 2 and w[1] < left), key=lambda w: w[1])
    assert left - before[2] > 2, before  # the offer's text ends before the quantity starts
    assert _gap_after(words, "123456789.1234", "metres") > 2


@needs_poppler
def test_a_long_unit_widens_its_column_instead_of_running_into_the_price() -> None:
    long_unit = make_line(1, "Network security", unit="assessment", unit_price_cents=450_000)
    machines = replace(make_quote().suppliers[0], lines=(long_unit,))
    quote = render_quote_pdf(make_quote(suppliers=(machines,)))
    assert _gap_after(pdf_words(quote), "assessments", "4") > 2  # 2.5 of them: the plural
    order = PurchaseOrderPdf(
        order_number="O-2026-00003", quote_number="Q-2026-00007", issued_on=date(2026, 3, 9),
        currency="EUR", buyer=SELLER, supplier=SUPPLIER, client=CLIENT,
        lines=(PurchaseLineView("Audit", "commissioning-visit", Decimal("2"), 1_234_567,
                                Decimal("5"), 2_345_677),),
        total_cents=2_345_677, tax=tax_summary([(2_345_677, Decimal(0))], 2_345_677),
    )  # fmt: skip
    assert _gap_after(pdf_words(render_purchase_order_pdf(order)), "commissioning-visit", "12") > 2


@needs_poppler
def test_purchase_order_pdf_shows_buyer_supplier_delivery_and_lines() -> None:
    order = PurchaseOrderPdf(
        order_number="O-2026-00003", quote_number="Q-2026-00007", issued_on=date(2026, 3, 9),
        currency="EUR", buyer=SELLER, supplier=SUPPLIER, client=CLIENT,
        lines=(PurchaseLineView("Laser calibration", "visit", Decimal("2"), 1_234_567,
                                Decimal("5"), 2_345_677),),
        total_cents=2_345_677, tax=tax_summary([(2_345_677, Decimal(0))], 2_345_677),
    )  # fmt: skip
    data = render_purchase_order_pdf(order)
    text = pdf_text(data)
    for expected in (
        "Purchase order", "O-2026-00003", "Quote: Q-2026-00007",
        "BUYER", "Seller AG", "SUPPLIER", "Machines R&D <GmbH>", "DELIVER TO", "Client SA",
        "Laser calibration 2 visit 12 345.67 5% 0% 23 456.77", "Total before tax 23 456.77 EUR",
    ):  # fmt: skip
        assert expected in text
    assert pdf_info(data)["Title"] == "Purchase order O-2026-00003 to Machines R&D <GmbH>"


PLATFORM = PlatformIdentity(
    "Arkanna SAS", "12 rue de la Paix, 75002 Paris", "RCS Paris 901 234 567", "FR12901234567",
    "FR7630006000011234567890189", "AGRIFRPP", "901234567", "90123456700013",
    PostalAddress(("12 rue de la Paix",), "75002", "Paris", "FR"),
    SellerTerms("SAS (société par actions simplifiée)", "10 000 EUR"),
)  # fmt: skip


def make_invoice(tax_rate: str = "20", tax_cents: int = 138) -> InvoicePdf:
    lines = (
        CommissionLineView("Press maintenance", 1_234, Decimal("10"), Decimal("123.4")),
        CommissionLineView("Laser calibration", 5_674, Decimal("10"), Decimal("567.4")),
    )
    return InvoicePdf(
        number="C-2026-00011", order_number="O-2026-00003", quote_number="Q-2026-00007",
        issued_on=date(2026, 3, 9), due_on=date(2026, 4, 8), currency="EUR", supplier=SUPPLIER,
        lines=lines, amount_cents=691, tax_rate=Decimal(tax_rate), tax_cents=tax_cents,
        platform=PLATFORM,
        supplier_identity=LegalIdentity("Machines R&D <GmbH>", "Hafenstr. 1, Bremen", "HRB 42",
                                        "DE123456789", SUPPLIER.email),
    )  # fmt: skip


@needs_poppler
def test_invoice_pdf_shows_both_identities_the_tax_and_the_total_due() -> None:
    text = pdf_text(render_invoice_pdf(make_invoice()))
    for expected in (
        "Commission invoice", "C-2026-00011", "Due: 2026-04-08", "Order: O-2026-00003",
        "Arkanna SAS", "12 rue de la Paix, 75002 Paris", "Registration: RCS Paris 901 234 567",
        "VAT id: FR12901234567", "Machines R&D <GmbH>", "Hafenstr. 1, Bremen",
        "Registration: HRB 42", "VAT id: DE123456789", "Press maintenance 12.34 10% 1.23",
        "Laser calibration 56.74 10% 5.67", "Commission (before VAT) 6.91 EUR",
        "VAT at 20% 1.38 EUR", "Total due 8.29 EUR", "IBAN FR7630006000011234567890189",
        "BIC AGRIFRPP", "giving C-2026-00011 as the payment reference",
    ):  # fmt: skip
        assert expected in text
    assert text.count("rounded") == 1  # the rounding is stated once


@needs_poppler
def test_an_invoice_without_tax_says_no_vat_was_charged() -> None:
    text = pdf_text(render_invoice_pdf(make_invoice("0", 0)))
    assert "VAT (none charged on this invoice) 0.00 EUR" in text
    assert "Total due 6.91 EUR" in text


MEMBER_ID = LegalIdentity("Seller AG", "Rheinstrasse 12, Basel", "CHE-123.456.789", "CHE-1 MWST",
                          "sam@seller.example")  # fmt: skip
PLATFORM_ID = LegalIdentity("Arkanna SAS", "1 rue X, Paris", "RCS 9", "FR12")


def _row(day_: int, reference: str, text: str, cents: int, balance: int) -> StatementRow:
    return StatementRow(Movement(datetime(2026, 3, day_, 9, tzinfo=UTC), reference, text, cents),
                        balance)  # fmt: skip


def make_statement(closing: int = 4_250) -> StatementPdf:
    earnings = StatementSection(
        StatementKind.EARNINGS, 500,
        (_row(10, "C-2026-00011", "Your seller share", 5_000, 5_500),
         _row(20, "C-2026-00011", "Clawback of your seller share", -1_250, 4_250)),
        closing,
    )  # fmt: skip
    invoices = StatementSection(StatementKind.COMMISSION_INVOICES, 12_000, (), 12_000)
    return StatementPdf(
        member=MEMBER_ID, platform=PLATFORM_ID, cluster_name="Rhine Valley Industrials",
        currency="EUR", period_from=date(2026, 3, 1), period_to=date(2026, 3, 31),
        issued_on=date(2026, 4, 2), sections=(earnings, invoices),
    )  # fmt: skip


@needs_poppler
def test_statement_pdf_runs_the_balance_from_opening_to_closing() -> None:
    data = render_statement_pdf(make_statement())
    text = pdf_text(data)
    for expected in (
        "Statement", "2026-03-01 to 2026-03-31", "Seller AG", "CHE-123.456.789", "Arkanna SAS",
        "Registration: RCS 9", "VAT id: FR12", "Earnings (amounts in EUR)",
        "2026-03-01 Opening balance 5.00",
        "2026-03-10 Your seller share C-2026-00011 50.00 55.00",
        "2026-03-20 Clawback of your seller share C-2026-00011 -12.50 42.50",
        "2026-03-31 Closing balance 42.50",
        "Commission invoices you owe the platform (amounts in EUR)",
        "2026-03-01 Opening balance 120.00 Nothing in this period 2026-03-31 Closing balance 120.00",
        "Section Closing balance Earnings 42.50",
        "Commission invoices you owe the platform 120.00 Arkanna SAS",
    ):  # fmt: skip
        assert expected in text, expected
    info = pdf_info(data)
    assert info["Title"] == "Statement Seller AG 2026-03-01 to 2026-03-31"
    assert info["Author"] == "Arkanna SAS"
    assert info["CreationDate"].startswith("Thu Apr  2 00:00:00 2026")


def test_statement_whose_entries_miss_the_closing_balance_is_refused() -> None:
    with pytest.raises(ValueError, match="opening to the closing balance"):
        render_statement_pdf(make_statement(closing=4_251))


def test_store_round_trips_and_replaces_atomically(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    key = "quotes/Q-2026-00007-r2.pdf"
    assert not store.exists(key)
    assert store.put(key, b"first") == key
    assert store.put(key, b"second") == key
    assert store.get(key) == b"second"
    assert store.exists(key)
    assert store.path(key) == tmp_path / "quotes" / "Q-2026-00007-r2.pdf"
    assert [p.name for p in (tmp_path / "quotes").iterdir()] == ["Q-2026-00007-r2.pdf"]


def test_store_get_of_missing_key_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        DocumentStore(tmp_path).get("quotes/none.pdf")


@pytest.mark.parametrize(
    "key",
    ["../escape.pdf", "quotes/../../escape.pdf", "/etc/passwd", "", "quotes//a.pdf", ".hidden",
     "quotes/", "a\\b.pdf", "quotes/a b.pdf", "quotes/..pdf", "~/a.pdf"],
)  # fmt: skip
def test_store_rejects_keys_outside_its_root(tmp_path: Path, key: str) -> None:
    store = DocumentStore(tmp_path / "docs")
    with pytest.raises(ValueError, match="invalid document key"):
        store.put(key, b"x")
    assert not (tmp_path / "escape.pdf").exists()
    assert not (tmp_path / "docs").exists()


@needs_poppler
def test_quote_pdf_names_both_parties_taxes_per_rate_and_its_issue_date() -> None:
    seller = replace(
        SELLER,
        address="Rheinstrasse 12\n4051 Basel",
        registration_number="CHE-123.456.789",
        vat_id="CHE-123.456.789 MWST",
    )
    client = replace(CLIENT, address="3 quai Kleber", registration_number="RCS 123", vat_id=None)
    tax = TaxSummary(
        (TaxView(Decimal("5.5"), 10_000, 550), TaxView(Decimal(20), 3_692_97, 73_859)),
        1_369_297 + 550 + 73_859,
    )
    platform = PartyView("Arkanna SAS", "Arkanna SAS", "b@a.example", "1 rue X", "RCS 9", "FR12")
    data = render_quote_pdf(make_quote(seller=seller, client=client, tax=tax, platform=platform))
    text = pdf_text(data)
    for expected in (
        "Rheinstrasse 12", "Registration: CHE-123.456.789", "VAT id: CHE-123.456.789 MWST",
        "3 quai Kleber", "Registration: RCS 123", "VAT id: not given",
        "Tax 5.5% on 100.00 5.50 EUR", "Tax 20% on 3 692.97 738.59 EUR",
        "Total with tax 14 437.06 EUR", "Made through Arkanna SAS, 1 rue X",
    ):  # fmt: skip
        assert expected in text, expected
    info = pdf_info(data)
    assert info["CreationDate"].startswith("Mon Mar  2 00:00:00 2026")
    assert info["Author"] == "Seller AG"


@needs_poppler
def test_a_deal_quoted_before_tax_was_recorded_says_so() -> None:
    text = pdf_text(render_quote_pdf(make_quote(tax=TaxSummary((), 1_369_297, recorded=False))))
    assert "quoted before tax rates were recorded" in text


def test_a_document_whose_total_with_tax_does_not_add_up_is_never_rendered() -> None:
    quote = make_quote(tax=TaxSummary((), 0))
    with pytest.raises(ValueError, match="total with tax"):
        render_quote_pdf(quote)


@needs_poppler
def test_the_founder_service_stays_under_the_offer_when_the_unit_wraps() -> None:
    """Below a line whose figures are one line high, the founder's service runs on under them;
    when the unit wraps, it keeps to the offer's column instead of running into the unit."""
    unit = "inspection visits of the whole production hall"
    wrapped = make_line(1, "Press maintenance", unit=unit)
    machines = replace(make_quote().suppliers[0], lines=(wrapped,))
    words = pdf_words(render_quote_pdf(make_quote(suppliers=(machines,))))
    assert {"Nora", "production"} <= {w[0] for w in words}
    for index, (text, left, right, top) in enumerate(words):
        for other, o_left, o_right, o_top in words[index + 1 :]:
            same_line = abs(top - o_top) < 2
            assert not (same_line and left < o_right and o_left < right), (text, other)


@needs_poppler
def test_a_narrow_party_box_wraps_before_a_registration_number_never_inside_it() -> None:
    supplier = replace(
        SUPPLIER, address="1 rue de Rivoli", registration_number="RCS Paris 900 000 001"
    )
    order = PurchaseOrderPdf(
        order_number="O-2026-00003", quote_number="Q-2026-00007", issued_on=date(2026, 3, 9),
        currency="EUR", buyer=SELLER, supplier=supplier, client=CLIENT,
        lines=(PurchaseLineView("Audit", "day", Decimal("2"), 1_000, Decimal("0"), 2_000),),
        total_cents=2_000, tax=tax_summary([(2_000, Decimal(0))], 2_000),
    )  # fmt: skip
    words = pdf_words(render_purchase_order_pdf(order))
    tops = {w[3] for w in words if w[0] in {"900", "000", "001"}}
    assert len(tops) == 1, "the number is split over two lines"
