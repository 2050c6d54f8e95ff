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


def test_temporal_ui_is_published_on_loopback_only_at_the_settings_port(
    services: dict[str, dict[str, Any]],
) -> None:
    # The UI has no authentication: reachable from this host (or through the proxy) only.
    ports = [str(mapping) for mapping in services["temporal-ui"]["ports"]]
    assert ports == [f"127.0.0.1:{_default('TEMPORAL_UI_PORT')}:8080"]


def test_api_migrates_the_database_before_serving(services: dict[str, dict[str, Any]]) -> None:
    command = _command(services["api"])
    assert "upgrade_database" in command and "python -m api.serve" in command
    assert command.index("upgrade_database") < command.index("api.serve")


def test_uvicorn_is_only_ever_started_through_api_serve(
    services: dict[str, dict[str, Any]],
) -> None:
    # api.serve hands uvicorn the settings' proxies, timeouts and cap; a bare `uvicorn` would
    # believe X-Forwarded-For from 127.0.0.1 and cut no slow client.
    started = {
        "docker-compose.yml": " ".join(_command(service) for service in services.values()),
        "Dockerfile": "\n".join(
            line for line in (ROOT / "Dockerfile").read_text().splitlines() if line[:1] != "#"
        ),
        "run.py": (ROOT / "run.py").read_text(),
    }
    for name, text in started.items():
        assert not re.search(r"\buvicorn\s+api|-m\W+uvicorn|--proxy-headers", text), name
    assert '"-m", "api.serve"' in started["run.py"]


def test_the_proxy_setting_reaches_the_api_and_trusts_no_one_by_default(
    services: dict[str, dict[str, Any]],
) -> None:
    assert _default("FORWARDED_ALLOW_IPS") == ""
    assert _environment(services["api"])["FORWARDED_ALLOW_IPS"] == "${FORWARDED_ALLOW_IPS:-}"


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


def test_the_platforms_identity_reaches_every_document_writer(
    services: dict[str, dict[str, Any]],
) -> None:
    """R20: the workers render the documents; an unset value keeps the stated placeholder."""
    identity = ("LEGAL_NAME", "ADDRESS", "REGISTRATION", "VAT_ID", "IBAN", "BIC")
    names = [f"PLATFORM_{part}" for part in identity]
    assert set(names) <= set(Settings.model_fields)
    for service in ("api", "worker"):
        env = _environment(services[service])
        for name in names:
            assert env[name] == f"${{{name}:-}}", (service, name)
            assert "placeholder" in str(_default(name)) and name in str(_default(name))
