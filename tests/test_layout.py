"""The layout's boundaries, read from the imports of every module: the pure core imports only the
standard library, workflows never reach the store or the documents, the API never imports the
activities or the worker process."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OWN = {
    "models",
    "store",
    "documents",
    "activities",
    "workflows",
    "api",
    "settings",
    "worker",
    "run",
}


def imported_roots(path: Path) -> set[str]:
    """Top-level names a module imports, at any depth (imports inside functions count too)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules_of("models"), ids=lambda p: p.name)
def test_the_pure_core_imports_only_the_standard_library(path: Path) -> None:
    outside = imported_roots(path) - set(sys.stdlib_module_names) - {"models"}
    assert not outside, f"{path.relative_to(ROOT)} imports {sorted(outside)}"


@pytest.mark.parametrize("path", modules_of("workflows"), ids=lambda p: p.name)
def test_workflows_reach_only_the_core_and_the_engine(path: Path) -> None:
    own = imported_roots(path) & OWN
    assert own <= {"models", "workflows"}, f"{path.relative_to(ROOT)} imports {sorted(own)}"
    third_party = imported_roots(path) - set(sys.stdlib_module_names) - OWN
    assert third_party <= {"temporalio"}, f"{path.relative_to(ROOT)} imports {sorted(third_party)}"


@pytest.mark.parametrize("path", modules_of("api"), ids=lambda p: str(p.relative_to(ROOT / "api")))
def test_the_api_never_imports_the_activities_or_the_worker(path: Path) -> None:
    reached = imported_roots(path) & {"activities", "worker", "run"}
    assert not reached, f"{path.relative_to(ROOT)} imports {sorted(reached)}"


@pytest.mark.parametrize(
    "path", modules_of("store"), ids=lambda p: str(p.relative_to(ROOT / "store"))
)
def test_the_store_never_reaches_up_into_the_engine_or_the_activities(path: Path) -> None:
    reached = imported_roots(path) & {"activities", "workflows", "worker", "run", "temporalio"}
    assert not reached, f"{path.relative_to(ROOT)} imports {sorted(reached)}"


ENGINE_MODULE = ROOT / "api" / "engine.py"


@pytest.mark.parametrize("path", modules_of("api"), ids=lambda p: str(p.relative_to(ROOT / "api")))
def test_the_api_reaches_the_engine_only_through_its_engine_module(path: Path) -> None:
    """Starts, updates, signals, queries and their errors live in api/engine.py alone."""
    if path == ENGINE_MODULE:
        return
    reached = imported_roots(path) & {"temporalio", "workflows"}
    assert not reached, f"{path.relative_to(ROOT)} imports {sorted(reached)}"


# Words that name a module's past instead of its role ("clean" is not "lean").
HISTORY_WORDS = re.compile(r"(^|[_/])(lean|legacy|before)([_.]|$)|Lean|Legacy|Before[A-Z]")
PACKAGES = ("models", "store", "documents", "activities", "workflows", "api", "bench")


def _defined_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [node.name for node in ast.walk(tree) if isinstance(node, kinds)]


@pytest.mark.parametrize(
    "path",
    [path for package in PACKAGES for path in modules_of(package)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_modules_and_their_names_say_their_role_not_their_history(path: Path) -> None:
    names = [str(path.relative_to(ROOT)), *_defined_names(path)]
    dated = [name for name in names if HISTORY_WORDS.search(name)]
    assert not dated, f"{path.relative_to(ROOT)} names {dated}"
