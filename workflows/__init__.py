"""Workflow definitions; the worker registers every class listed in WORKFLOWS."""

from __future__ import annotations

WORKFLOWS: list[type] = []
