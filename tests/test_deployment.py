"""docker-compose.yml and the Dockerfile agree with the settings and the search attributes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from settings import SEARCH_ATTRIBUTES, Settings

ROOT = Path(__file__).resolve().parent.parent
REQUIRED_SERVICES = {"postgres", "temporal", "temporal-ui", "temporal-admin-tools", "api", "worker"}


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def _default(field: str) -> Any:
    return Settings.model_fields[field].default


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {name: str(value) for name, value in env.items()}


def _command(service: dict[str, Any]) -> str:
    command = service.get("command") or []
    return command if isinstance(command, str) else " ".join(command)


def test_every_required_service_exists(services: dict[str, dict[str, Any]]) -> None:
    assert not REQUIRED_SERVICES - set(services)


@pytest.mark.parametrize("name", ["api", "worker"])
def test_app_services_set_only_settings_fields(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    unknown = set(_environment(services[name])) - set(Settings.model_fields)
    assert not unknown, f"{name} sets variables that no setting reads: {sorted(unknown)}"


def test_api_and_workers_share_one_configuration(services: dict[str, dict[str, Any]]) -> None:
    # SECRET_KEY signs the links the workers email and the API checks: it must be the same.
    api, worker = _environment(services["api"]), _environment(services["worker"])
    assert api == worker
    for required in ("DATABASE_URL", "TEMPORAL_ADDRESS", "SECRET_KEY", "OPERATOR_KEY"):
        assert required in api
    assert api["DATABASE_URL"].startswith("postgresql+psycopg2://")


def test_api_port_matches_the_settings_default(services: dict[str, dict[str, Any]]) -> None:
    port = _default("API_PORT")
    api = services["api"]
    assert _environment(api)["API_PORT"] == str(port)
    assert f"{port}:{port}" in [str(mapping) for mapping in api["ports"]]


def test_temporal_ui_port_matches_the_settings_default(
    services: dict[str, dict[str, Any]],
) -> None:
    ports = [str(mapping) for mapping in services["temporal-ui"]["ports"]]
    assert f"{_default('TEMPORAL_UI_PORT')}:8080" in ports


def test_api_migrates_the_database_before_serving(services: dict[str, dict[str, Any]]) -> None:
    command = _command(services["api"])
    assert "upgrade_database" in command and "uvicorn api.app:app" in command
    assert command.index("upgrade_database") < command.index("uvicorn")


def test_workers_are_scalable(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    assert int(worker["deploy"]["replicas"]) >= 2
    # A fixed container name or a published port would stop `--scale worker=N`.
    assert "container_name" not in worker and "ports" not in worker
    assert "worker.py" in _command(worker)


def test_temporal_runs_on_the_postgres_service(services: dict[str, dict[str, Any]]) -> None:
    assert services["postgres"]["image"].startswith("postgres:15")
    temporal = _environment(services["temporal"])
    assert services["temporal"]["image"].startswith("temporalio/auto-setup:")
    assert temporal["DB"] == "postgres12"
    assert temporal["POSTGRES_SEEDS"] == "postgres"


def test_one_namespace_everywhere(services: dict[str, dict[str, Any]]) -> None:
    namespace = _environment(services["api"])["TEMPORAL_NAMESPACE"]
    assert _environment(services["temporal"])["DEFAULT_NAMESPACE"] == namespace
    admin = services["temporal-admin-tools"]
    assert set(re.findall(r"-n (\S+)", _command(admin))) == {namespace}


def test_admin_tools_register_every_search_attribute(
    services: dict[str, dict[str, Any]],
) -> None:
    registered: dict[str, str] = {}
    for line in re.findall(
        r"search-attribute create[^\n]*", _command(services["temporal-admin-tools"])
    ):
        kind = re.search(r"--type (\S+)", line)
        assert kind is not None, line
        for name in re.findall(r"--name (\S+)", line):
            registered[name] = kind.group(1)
    assert registered == SEARCH_ATTRIBUTES


def test_image_is_slim_and_runs_unprivileged() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert "pip install" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "var", ".env", ".git"} <= set(ignored)
