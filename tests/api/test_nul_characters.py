"""§8: a NUL in a path, a filter or a cursor is refused with a 4xx, never a 500 (PostgreSQL
refuses a NUL in a string outright; run with DATABASE_URL=postgresql… to see the difference)."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import OPERATOR

NUL = "\x00"

REFUSED = [
    ("/orders/Q-1%00", {}, 422),
    ("/orders/O-1%00/documents/1.pdf", {}, 422),
    ("/commission-invoices/C-1%00", {}, 422),
    ("/commission-invoices/C-1%00/pdf", {}, 422),
    ("/commission-invoices", {"order_number": f"O-1{NUL}"}, 422),
    ("/quotes", {"cursor": f"Q-1{NUL}"}, 400),
    ("/orders", {"cursor": f"O-1{NUL}"}, 400),
    ("/commission-invoices", {"cursor": f"C-1{NUL}"}, 400),
    ("/clients", {"cursor": f"1{NUL}"}, 400),
]


@pytest.mark.parametrize(("path", "params", "status"), REFUSED)
async def test_a_nul_in_a_path_filter_or_cursor_is_refused(
    api: httpx.AsyncClient, path: str, params: dict[str, str], status: int
) -> None:
    refused = await api.get(path, params=params, headers=OPERATOR)
    assert refused.status_code == status, refused.text
    assert refused.json()["detail"].startswith(("number: ", "order_number: ", "cursor: "))
