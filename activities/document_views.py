"""The parties and taxes as the issued documents print them, read from the store when a
document is issued: the PDF is stored and never rendered again (R20)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from models.documents import PartyView, TaxSummary, TaxView
from models.tax import taxes, total_with_tax
from store.tables import Client, Member


def member_party(member: Member) -> PartyView:
    return PartyView(member.name, member.company, member.email, *_identity(member))


def client_party(client: Client) -> PartyView:
    return PartyView(client.contact_name, client.company, client.email, *_identity(client))


def _identity(row: Member | Client) -> tuple[str | None, str | None, str | None]:
    return row.address, row.registration_number, row.vat_id


def tax_summary(
    nets: Iterable[tuple[int, Decimal]], net_cents: int, *, recorded: bool = True
) -> TaxSummary:
    """Per rate over (net cents, rate percent) pairs, and the total with tax (R21)."""
    by_rate = taxes(nets)
    return TaxSummary(
        tuple(TaxView(t.rate, t.base_cents, t.amount_cents) for t in by_rate),
        total_with_tax(net_cents, by_rate),
        recorded,
    )
