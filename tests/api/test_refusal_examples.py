"""Every refusal a route documents comes with one example body, valid as an ErrorRead."""

from __future__ import annotations

from api.app import create_app
from api.errors import ErrorRead
from settings import Settings


def test_every_documented_refusal_has_an_example(settings: Settings) -> None:
    paths = create_app(settings).openapi()["paths"]
    missing, checked = [], 0
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if not status.startswith(("4", "5")) or path == "/healthz":
                    continue
                example = answer.get("content", {}).get("application/json", {}).get("example")
                if example is None:
                    missing.append(f"{method.upper()} {path} {status}")
                else:
                    ErrorRead.model_validate(example)
                    checked += 1
    assert missing == [] and checked > 100, missing
