"""Who can answer each email (R18): its `Reply-To`. Standard library and models only.

Suppliers, the founder and the client answer to the seller; the seller's emails about the
client answer to the client's contact, a rejection to the supplier who rejected, a blocked
quote to the founder, whose cluster it concerns. Commission emails answer to the platform
(the mail activity adds that address, which is configuration).
"""

from __future__ import annotations

from dataclasses import replace

from models.quote_payloads import Notice, Party, QuoteState

# The seller's emails a member other than the client can answer.
FOUNDER_ANSWERS = frozenset({"quote_blocked", "quote_supplier_removed", "approval_expired"})


def client_contact(state: QuoteState) -> str:
    """ "Carl Client (carl@acme.example.com)": the client as a person to write to."""
    return f"{state.client.contact_name} ({state.client.email})"


def to_seller(
    notice: Notice, state: QuoteState, founder: Party, answerer: Party | None = None
) -> Notice:
    """A seller's email with the person who can answer it, named in its text too."""
    context = {**notice.context, "client_contact": client_contact(state)}
    if answerer is not None:
        return replace(notice, context=context, reply_to=answerer.email, reply_name=answerer.name)
    if notice.kind in FOUNDER_ANSWERS:
        return replace(notice, context=context, reply_to=founder.email, reply_name=founder.name)
    contact = state.client.contact_name
    return replace(notice, context=context, reply_to=state.client.email, reply_name=contact)


def from_seller(notice: Notice, seller: Party) -> Notice:
    """A supplier's or the founder's email, answered by the seller."""
    return replace(notice, reply_to=seller.email, reply_name=seller.name)
