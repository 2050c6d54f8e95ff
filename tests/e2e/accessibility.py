"""Every page checked by axe-core (tests/e2e/axe/axe.min.js, axe-core 4.14.1, MPL-2.0; its
licence beside it) in the real Chromium, at a phone's and a desktop's width: no violation of
impact moderate or above, tap targets included (WCAG 2.2 target size, 24 px)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page

AXE = Path(__file__).resolve().parent / "axe" / "axe.min.js"
WIDTHS = (390, 1280)
SERIOUS = frozenset({"moderate", "serious", "critical"})
# axe leaves the WCAG 2.2 target-size rule off unless asked.
_RUN = """() => axe.run(document, {
  resultTypes: ['violations'],
  rules: {'target-size': {enabled: true}},
})"""


async def violations(page: Page) -> list[dict[str, Any]]:
    """The page's violations of impact moderate or above, each with its rule and nodes."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text())  # through the browser's debugger: no CSP applies
    result = await page.evaluate(_RUN)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


async def assert_accessible(page: Page, what: str) -> None:
    """The page passes axe at every width, and fits the narrowest without scrolling sideways."""
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 844})
        found = await violations(page)
        assert not found, f"{what} at {width} px: {found}"
        widths = await page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{what} scrolls sideways at {width} px: {widths}"
