"""The scale benchmark's worker: bench/load_worker.py, saying how many workflows it caches.

Run by bench/open_quotes_scale.py as its own process. It builds the worker with worker.py's
`build_worker`, unchanged, and prints the `max_cached_workflows` in force, read off the Worker's
config, before "ready". BENCH_MAX_CACHED_WORKFLOWS, when set, overrides that size through a
worker plugin carried by the client, so a small run can show eviction without touching worker.py.
"""

from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from temporalio.client import Client
from temporalio.plugin import SimplePlugin
from temporalio.worker import Worker, WorkerConfig

import bench.load_worker as load_worker
from settings import Settings
from worker import build_worker

CACHE_SIZE_ENV = "BENCH_MAX_CACHED_WORKFLOWS"
CACHE_LINE = "workflow cache: max_cached_workflows="
SDK_DEFAULT = inspect.signature(Worker.__init__).parameters["max_cached_workflows"].default


class CacheSize(SimplePlugin):
    """Sets the worker's workflow cache size, whatever build_worker passed."""

    def __init__(self, size: int) -> None:
        super().__init__("arkanna.bench.CacheSize")
        self.size = size

    def configure_worker(self, config: WorkerConfig) -> WorkerConfig:
        config = super().configure_worker(config)
        config["max_cached_workflows"] = self.size
        return config


def build_and_report(client: Client, settings: Settings, **options: Any) -> Worker:
    """build_worker, with the cache size override if any; prints the size in force."""
    override = os.environ.get(CACHE_SIZE_ENV)
    if override:
        config = client.config()
        config["plugins"] = [*config["plugins"], CacheSize(int(override))]
        client = Client(**config)
    worker = build_worker(client, settings, **options)
    size = worker.config(active_config=True)["max_cached_workflows"]
    origin = (
        f"set by {CACHE_SIZE_ENV}"
        if override
        else f"as build_worker makes it; the SDK default is {SDK_DEFAULT}"
    )
    print(f"{CACHE_LINE}{size} ({origin})", flush=True)
    return worker


if __name__ == "__main__":
    load_worker.build_worker = build_and_report  # the bench worker's own main, this one change
    load_worker.run(load_worker.main)
