"""A client generated from the app's OpenAPI with openapi-python-client drives a whole deal:
the generator must warn about nothing, mypy must accept the generated package together with the
script that drives it (tests/workflows/client_deal.py), and the deal must close against the real
app, the Temporal dev server and the product's worker."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from tests.factories import OPERATOR_KEY
from tests.workflows.conftest import Live

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "openapi-client.yml"
DRIVER = Path(__file__).with_name("client_deal.py")
PACKAGE = "arkanna_client"
# The generator's own client.py forwards `*args: object` to httpx's typed __exit__, which mypy
# refuses; the rest of the package, and the driving script, are checked in full.
MYPY_CONFIG = f"""[mypy]
strict = True
warn_unused_ignores = False
[mypy-{PACKAGE}.client]
disable_error_code = arg-type
"""


def generate(openapi: dict[str, Any], folder: Path) -> str:
    """Writes the client package into `folder`; returns the generator's output."""
    document = folder / "openapi.json"
    document.write_text(json.dumps(openapi))
    tools = str(Path(sys.executable).parent)
    generator = shutil.which("openapi-python-client", path=tools)
    assert generator is not None, "install the test extras: openapi-python-client"
    # Its post-generation hooks run ruff, a test extra beside it.
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [generator, "generate", "--path", str(document), "--config", str(CONFIG)]
    command += ["--output-path", str(folder / PACKAGE), "--meta", "none", "--fail-on-warning"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=folder, env=env, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def type_check(folder: Path) -> None:
    shutil.copy(DRIVER, folder / DRIVER.name)
    (folder / "mypy.ini").write_text(MYPY_CONFIG)
    command = [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-incremental"]
    command += [PACKAGE, DRIVER.name]
    done = subprocess.run(command, capture_output=True, text=True, cwd=folder, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def generated(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]
    sys.modules.pop("client_deal", None)


async def test_a_generated_client_drives_a_whole_deal(live: Live, generated: Path) -> None:
    openapi = (await live.api.get("/openapi.json")).json()
    output = generate(openapi, generated)
    assert "warning" not in output.lower(), output
    type_check(generated)

    app = create_app(live.settings, live.temporal)
    try:
        driver = importlib.import_module("client_deal")
        transport = httpx.ASGITransport(app=app)
        deal = await driver.drive_deal(OPERATOR_KEY, {"transport": transport})
    finally:
        app.state.engine.dispose()
    assert deal.order.total == "1000.00" and len(deal.order.lines) == 1
    # Paid as due: the commission and the platform's tax on it.
    invoice = deal.invoice
    assert (invoice.commission, invoice.tax_rate, invoice.tax_amount) == ("100.00", "20", "20.00")
    assert invoice.amount == "120.00" and invoice.payment_reference == "TRX-1"
    # The founder invited the seller: its part is the first affiliate level's.
    roles = {share.role for share in deal.invoice.shares}
    assert roles == {"platform", "affiliate_l1", "seller"}, roles
    seller_share = next(s.amount for s in deal.invoice.shares if s.role == "seller")
    assert deal.seller_ledger.balance == seller_share
