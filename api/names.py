"""Members' names beside their ids in the API's views (R19), looked up once per answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.quote_views import MemberName
from store.names import names_of


@dataclass(frozen=True, slots=True)
class Named:
    members: dict[int, MemberName]
    clients: dict[int, str]

    def member(self, member_id: int | None) -> MemberName | None:
        return None if member_id is None else self.members.get(member_id)


def look_up(
    session: Session, member_ids: Iterable[int | None], client_ids: Iterable[int] = ()
) -> Named:
    """The members and clients among the ids, in one query; callers pass only ids the viewer
    may already read, so a name never shows more than its id did."""
    found = names_of(session, member_ids, client_ids)
    return Named(
        {i: MemberName(id=i, name=name, company=co) for i, (name, co) in found.members.items()},
        found.clients,
    )
