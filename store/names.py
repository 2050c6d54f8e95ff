"""Names by id, for views that show a member or client beside its id (R19).

One query per call, whatever the number of ids, so a page of rows costs one look-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session

from store.tables import Client, Member


@dataclass(frozen=True, slots=True)
class Names:
    members: dict[int, tuple[str, str]] = field(default_factory=dict)  # id: (name, company)
    clients: dict[int, str] = field(default_factory=dict)  # id: company


def _wanted(ids: Iterable[int | None]) -> set[int]:
    return {i for i in ids if i is not None}


def names_of(
    session: Session, member_ids: Iterable[int | None], client_ids: Iterable[int] = ()
) -> Names:
    """Members' (name, company) and clients' companies by id, in one query; unknown ids left
    out."""
    members, clients = _wanted(member_ids), _wanted(client_ids)
    if not members and not clients:
        return Names()
    query = union_all(
        select(literal("m").label("kind"), Member.id, Member.name, Member.company).where(
            Member.id.in_(members)
        ),
        select(literal("c").label("kind"), Client.id, Client.contact_name, Client.company).where(
            Client.id.in_(clients)
        ),
    )
    found = Names()
    for kind, row_id, name, company in session.execute(query):
        if kind == "m":
            found.members[row_id] = (name, company)
        else:
            found.clients[row_id] = company
    return found


def member_names(session: Session, ids: Iterable[int | None]) -> dict[int, tuple[str, str]]:
    """Each member's (name, company) by id, in one query."""
    return names_of(session, ids).members
