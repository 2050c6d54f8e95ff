"""Serves the API with uvicorn, configured from the settings: `python -m api.serve`.

Every way the API runs (the run command, the container) starts it here, so that which proxies
are believed, the timeouts and the connection cap are the settings' and nothing else's.
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

from api.slow_clients import with_deadlines
from settings import Settings, get_settings


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options from the settings (`uvicorn.Config(app, **server_options(...))`)."""
    trusted = settings.FORWARDED_ALLOW_IPS.strip()
    return {
        # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise (and reads its
        # own FORWARDED_ALLOW_IPS variable): here only the proxies the setting names.
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted,
        "timeout_keep_alive": settings.KEEP_ALIVE_SECONDS,
        # uvicorn answers 503 once the open connections, this one included, reach the limit.
        "limit_concurrency": settings.MAX_CONNECTIONS + 1,
        # h11, not httptools: its header size limit is configurable, and the deadlines hook it.
        "http": with_deadlines(settings.HEADER_TIMEOUT_SECONDS, settings.BODY_TIMEOUT_SECONDS),
        "h11_max_incomplete_event_size": settings.MAX_HEADER_BYTES,
        "ws": "none",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serves the Arkanna API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, help="port to listen on (default: API_PORT)")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args(argv)
    settings = get_settings()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port or settings.API_PORT,
        log_level=args.log_level,
        access_log=not args.no_access_log,
        **server_options(settings),
    )


if __name__ == "__main__":
    main()
