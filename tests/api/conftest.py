"""Two clusters side by side, and a photograph of every table to prove a refusal wrote nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.tables import Base
from tests.factories import World, add_client, add_offer, catalogue_world, found_cluster, join

Snapshot = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
async def world(api: httpx.AsyncClient) -> World:
    """Founder, alice (invited by the founder), bob (by alice), carol (by bob), validated offers."""
    return await catalogue_world(api)


@pytest.fixture
async def other(api: httpx.AsyncClient) -> World:
    """Another cluster: its founder, a validated founder offer, olga with an offer and a client."""
    world = await found_cluster(api, name="Pacific Trade")
    await add_offer(api, world, world.founder, "founder", unit_price="300.00")
    olga = await join(api, world, world.founder, "olga")
    await add_offer(api, world, olga, "olga-cables")
    await add_client(api, world, olga, "globex")
    return world


@pytest.fixture
def snapshot(db: sessionmaker[Session]) -> Callable[[], Snapshot]:
    """Every row of every table, in primary-key order."""

    def take() -> Snapshot:
        with db() as session:
            return {
                table.name: [
                    tuple(row)
                    for row in session.execute(
                        select(table).order_by(*table.primary_key.columns)
                    ).all()
                ]
                for table in Base.metadata.sorted_tables
            }

    return take
