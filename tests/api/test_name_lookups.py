"""R19's cost: the names beside the ids take one query per answer, whatever the page holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from settings import Settings
from tests.factories import OPERATOR, World, add_client, expect
from tests.ledger_seed import issue, pay_and_split, seed_order


@contextmanager
def name_lookups() -> Iterator[list[str]]:
    """The statements that read members' names while the block runs, on any engine (the app
    has its own)."""
    seen: list[str] = []

    def record(*args: object) -> None:
        statement = str(args[2])
        if "members.company" in statement:
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


async def test_a_page_of_orders_invoices_or_entries_names_them_in_one_query(
    api: httpx.AsyncClient, world: World, db: sessionmaker[Session], settings: Settings
) -> None:
    docs, alice, bob = settings.DOCUMENTS_DIR, world.members["alice"], world.members["bob"]
    bolt = await add_client(api, world, bob, "bolt")
    for seller, client in (
        (alice, world.clients["acme"]),
        (bob, bolt),
        (alice, world.clients["acme"]),
    ):
        order = seed_order(db, docs, world, seller, client, [("alice-audit", "1")])
        for invoice in issue(db, docs, order):
            pay_and_split(db, docs, invoice)
    for path in ("/orders", "/commission-invoices", "/ledger"):
        with name_lookups() as seen:
            page = expect(await api.get(path, headers=OPERATOR), 200)
        assert len(page["items"]) >= 3, path
        assert len(seen) == 1, (path, seen)
    orders = expect(await api.get("/orders", headers=OPERATOR), 200)["items"]
    assert [o["seller"]["name"] for o in orders] == ["Alice", "Bob", "Alice"]
    assert [o["client_company"] for o in orders] == ["acme GmbH", "bolt GmbH", "acme GmbH"]
