"""Response headers for the pages reached by a signed link: the client's (/q/…) and a
supplier's approval page (/a/…).

The link's token is in the address, so nothing may leak it: no referrer is sent on, no copy is
cached, no other site may frame the page. The page carries no script and only the stylesheet
under /static, so its Content-Security-Policy allows nothing else.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LINK_PREFIXES = ("/q/", "/a/")
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
LINK_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class PageHeaders:
    """nosniff on every response; the link headers, and the CSP on HTML, under the links."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        by_link = str(scope.get("path", "")).startswith(LINK_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if by_link:
                    for name, value in LINK_HEADERS.items():
                        headers[name] = value
                    if headers.get("content-type", "").startswith("text/html"):
                        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            await send(message)

        await self.app(scope, receive, send_with_headers)
