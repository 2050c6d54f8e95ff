"""The load benchmark's API process: the product's app, with the deal's SQL traced when the
run asks for it (bench/sql_trace.py). Served by uvicorn as `bench.load_api:app`."""

from __future__ import annotations

from bench import sql_trace

sql_trace.install_from_environment()

from api.app import app  # noqa: E402

__all__ = ["app"]
