"""Activities; build_activities(settings) returns every one the worker registers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models.settings import Settings


def build_activities(settings: Settings) -> list[Callable[..., Any]]:
    return []
