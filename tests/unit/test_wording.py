"""How figures are worded for people: one spelling of amounts, plural units, totals that say
with and before tax, and HTML emails whose links are buttons naming their action."""

from __future__ import annotations

from decimal import Decimal

import pytest

from documents.email_html import render_html
from documents.emails import KINDS, required_keys
from models.money import amount_text
from models.wording import named_lines, position_runs, quantity_of, total_phrase
from tests.unit.payloads import line


@pytest.mark.parametrize(
    ("cents", "currency", "text"),
    [(0, "EUR", "0.00 EUR"), (123_456_789, "EUR", "1 234 567.89 EUR"), (-5, "", "-0.05"),
     (100_000, "CHF", "1 000.00 CHF")],
)  # fmt: skip
def test_one_spelling_of_amounts(cents: int, currency: str, text: str) -> None:
    assert amount_text(cents, currency) == text


@pytest.mark.parametrize(
    ("quantity", "unit", "text"),
    [("1", "day", "1 day"), ("2", "day", "2 days"), ("0.5", "day", "0.5 day"),
     ("2", "assessment", "2 assessments"), ("3", "hours", "3 hours"), ("2", "company", "2 companies"),
     ("2", "m²", "2 m²"), ("1.5", "", "1.5")],
)  # fmt: skip
def test_units_take_their_plural_above_one(quantity: str, unit: str, text: str) -> None:
    assert quantity_of(Decimal(quantity), unit) == text


def test_a_total_says_with_and_before_tax() -> None:
    taxed = [line(7, unit_price_cents=100_000), line(8, unit_price_cents=5_000)]
    for row in taxed:
        row.tax_rate = Decimal(20)
    assert total_phrase(taxed, "EUR") == "1 260.00 EUR with tax (1 050.00 EUR before tax)"


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_an_html_part_fit_for_a_phone(kind: str) -> None:
    context = {key: f"<{key}>" for key in required_keys(kind)}
    context |= {k: f"https://example.test/{k}/token" for k in ("link", "approval_link")}
    html = render_html(kind, context)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<script" not in html and "&lt;name&gt;" in html
    for key, label in (("link", "Open the quote"), ("approval_link", "Open your approval page")):
        if key in required_keys(kind):
            assert html.count(f'<a href="https://example.test/{key}/token"') == 1
            assert f">{label}</a>" in html


@pytest.mark.parametrize(
    ("positions", "text"),
    [([2], "line 2 (Carol Wiring)"), ([1, 2], "lines 1 (Bob Scaffolding) and 2 (Carol Wiring)"),
     ([1, 2, 9], "lines 1 (Bob Scaffolding), 2 (Carol Wiring) and 9")],
)  # fmt: skip
def test_lines_are_named_beside_their_numbers(positions: list[int], text: str) -> None:
    assert named_lines(positions, {1: "Bob Scaffolding", 2: "Carol Wiring"}) == text


@pytest.mark.parametrize(
    ("positions", "text"),
    [([1], "1"), ([1, 2], "1–2"), ([1, 2, 3, 5, 7, 8], "1–3, 5, 7–8"), ([2, 4, 6], "2, 4, 6")],
)
def test_a_suppliers_lines_are_listed_asposition_runs(positions: list[int], text: str) -> None:
    assert position_runs(positions) == text
