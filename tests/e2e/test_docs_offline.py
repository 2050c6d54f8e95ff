"""/docs and /redoc render the API in Chromium with every request off the server refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Route

from tests.e2e.conftest import CHROMIUM, Served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no `chromium` on PATH (Debian package chromium)"),
]


@pytest.mark.parametrize(
    ("path", "operation"),
    [("/docs", ".opblock-summary-path"), ("/redoc", "[data-section-id^='tag/']")],
)
async def test_the_api_docs_render_with_no_network(
    served: Served, browser: Browser, tmp_path: Path, path: str, operation: str
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    async def only_the_server(route: Route) -> None:
        if route.request.url.startswith(served.base_url):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_the_server)
    page = await context.new_page()
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text))
    response = await page.goto(f"{served.base_url}{path}")
    assert response is not None and response.status == 200
    await page.locator(operation).first.wait_for(timeout=20_000)
    assert await page.locator(operation).count() > 5
    assert "/quotes/{number}" in await page.locator("body").inner_text()
    await page.screenshot(path=tmp_path / f"{path.strip('/')}.png")
    assert outside == [], outside
    # Whatever the page would fetch from elsewhere, its policy stops before any request.
    assert all("cdn." in text for text in blocked if "Content Security Policy" in text), blocked
    await context.close()
