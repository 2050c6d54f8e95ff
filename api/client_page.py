"""The client's page (api/templates/quote.html): the quote to answer, or — once answered or
closed — a plain statement of where the quote stands, never styled as an error (R17)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.tax_views import tax_fields
from models.money import amount_text, format_percent
from models.quote_payloads import QuoteState
from models.wording import quantity_of

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
templates.env.filters["money"] = amount_text
# A view's amount ("1234.50") in the same spelling as the cents ones and the PDF's.
templates.env.filters["money_text"] = lambda text: amount_text(Decimal(text) * 100)
templates.env.filters["quantity"] = quantity_of
templates.env.filters["decimal"] = format_percent
templates.env.filters["taxes"] = lambda state: tax_fields(state.lines, state.total_cents)

# The statuses a page reached by a current link states instead of offering the forms.
CLOSED = frozenset({"accepted", "ordered", "declined", "expired", "cancelled"})


@dataclass(frozen=True)
class Closing:
    headline: str
    message: str
    order_number: str | None = None
    signed: bool = False


def _seller_words(state: QuoteState) -> str:
    seller = state.seller
    return f"{seller.name} ({seller.company})" if seller else "The seller"


def closing_of(state: QuoteState) -> Closing:
    """What the page says of a quote that can no longer be answered."""
    if state.status == "ordered":
        return Closing(
            "Thank you, your order is open",
            f"You accepted this quote as {state.accepted_by}. "
            f"{_seller_words(state)} has your order and a confirmation was emailed to you.",
            state.order_number,
            state.signed_document_key is not None,
        )
    if state.status == "accepted":
        return Closing(
            "Thank you, your acceptance is recorded",
            "The order is being opened; its number and your signed copy follow by email "
            "within a minute, and this page shows them when you open it again.",
        )
    if state.status == "declined":
        return Closing(
            "Thank you for your answer",
            f"You declined this quote. {_seller_words(state)} has been told. No order is "
            "opened and nothing is invoiced; if you want a different offer, write to the seller.",
        )
    if state.status == "expired":
        return Closing("This quote has expired", "Its validity date has passed.")
    return Closing("This quote was withdrawn", "The seller withdrew this quote.")


def page(request: Request, status_code: int, **context: Any) -> HTMLResponse:
    # The status lets the page tell a refused link from an answer that needs correcting (422).
    context = {"status_code": status_code, "error": None, "state": None, **context}
    return templates.TemplateResponse(request, "quote.html", context, status_code=status_code)


def closing_page(request: Request, state: QuoteState, token: str) -> HTMLResponse:
    return page(request, 200, state=state, token=token, closing=closing_of(state))
