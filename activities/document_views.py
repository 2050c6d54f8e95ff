"""The parties and taxes as the issued documents print them, read from the store when a
document is issued: the PDF is stored and never rendered again (R20)."""

from __future__ import annotations

from models.documents import PartyView
from models.documents import tax_summary as tax_summary
from store.tables import Client, Member


def member_party(member: Member) -> PartyView:
    return PartyView(member.name, member.company, member.email, *_identity(member))


def client_party(client: Client) -> PartyView:
    return PartyView(client.contact_name, client.company, client.email, *_identity(client))


def _identity(row: Member | Client) -> tuple[str | None, str | None, str | None]:
    return row.address, row.registration_number, row.vat_id
