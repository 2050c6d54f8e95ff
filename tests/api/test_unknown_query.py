"""A query parameter a route does not take is refused by name, never silently ignored."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import OPERATOR


@pytest.mark.parametrize(
    ("path", "unknown"),
    [
        ("/quotes?stauts=sent", "stauts"),
        ("/offers?status=validated&owner=3", "owner"),
        ("/healthz?verbose=1", "verbose"),
        ("/members?limit=5&b=1&a=2", "a, b"),
    ],
)
async def test_an_unknown_query_parameter_is_refused_by_name(
    api: httpx.AsyncClient, path: str, unknown: str
) -> None:
    response = await api.get(path, headers=OPERATOR)
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == f"{unknown}: not a parameter of this route"


async def test_known_parameters_pass(api: httpx.AsyncClient) -> None:
    assert (await api.get("/offers?limit=5", headers=OPERATOR)).status_code == 200
