"""Two clusters side by side: the catalogue world and a stranger to it."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import World, add_client, add_offer, catalogue_world, found_cluster, join


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
