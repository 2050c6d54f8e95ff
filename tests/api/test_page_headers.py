"""The link pages (the client's and a supplier's approval page) leak nothing: no referrer, no cached copy, no framing, no inline
code the policy would have to allow."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from api.app import create_app
from settings import Settings
from tests.factories import OPERATOR

LINK = "/q/not.a-link-anyone-was-sent"
LINKS = [LINK, "/a/not.a-link-anyone-was-sent"]
LINK_HEADERS = {
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
}


@pytest.fixture
async def api(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, temporal_client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    app.state.engine.dispose()


def _policy(response: httpx.Response) -> dict[str, str]:
    directives = response.headers["content-security-policy"].split(";")
    return dict(directive.strip().split(" ", 1) for directive in directives)


@pytest.mark.parametrize("link", LINKS)
async def test_the_link_page_sends_the_headers_and_a_policy_without_inline_code(
    api: httpx.AsyncClient, link: str
) -> None:
    page = await api.get(link, headers={"Accept": "text/html"})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert LINK_HEADERS.items() <= page.headers.items()
    policy = _policy(page)
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["style-src"] == "'self'" and "script-src" not in policy
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    # Nothing inline that the policy would block.
    assert not re.search(r"<script|<style|\sstyle=|\son\w+=", page.text)
    sheet = re.search(r'<link rel="stylesheet" href="([^"]+)">', page.text)
    assert sheet is not None
    css = await api.get(sheet.group(1))
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "max-width" in css.text


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_every_answer_under_a_link_is_neither_cached_nor_framed(
    api: httpx.AsyncClient, method: str
) -> None:
    path = LINK if method == "GET" else f"{LINK}/decline"
    answer = await api.request(method, path, json={"reason": "no"}, headers={"Accept": "*/*"})
    assert answer.status_code == 400 and answer.headers["content-type"] == "application/json"
    assert LINK_HEADERS.items() <= answer.headers.items()
    assert "content-security-policy" not in answer.headers  # a policy is for documents


async def test_other_routes_keep_their_caching_but_are_never_sniffed(
    api: httpx.AsyncClient,
) -> None:
    answer = await api.get("/members", headers=OPERATOR)
    assert answer.status_code == 200
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in answer.headers and "x-frame-options" not in answer.headers
