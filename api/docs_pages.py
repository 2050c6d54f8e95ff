"""`/docs` (Swagger UI) and `/redoc` served from files installed with the project
(the `fastapi-offline` package ships them), so the API's documentation opens with no network."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/static/docs"
# The pages load nothing from elsewhere: ReDoc's footer logo points at a CDN, and the policy
# keeps the browser from reaching for it. The pages' own start-up scripts are inline.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_POLICY
    return page


def swagger_ui(request: Request) -> HTMLResponse:
    app = request.app
    return _offline(
        get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        )
    )


def redoc(request: Request) -> HTMLResponse:
    app = request.app
    return _offline(
        get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API reference",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
    )


def install_docs(app: FastAPI) -> None:
    """Mounts the assets (before any broader /static mount) and the two pages. The pages are
    module functions that find their app in the request: FastAPI caches what it learns of each
    endpoint by the function, so a function made per app would keep every app ever built."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
    app.get("/docs", include_in_schema=False)(swagger_ui)
    app.get("/redoc", include_in_schema=False)(redoc)
