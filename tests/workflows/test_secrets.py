"""No API key, client-link token or secret is kept in clear where operators or the store see it."""

from __future__ import annotations

import logging
import re

import pytest

from api.app import create_app
from api.logs import ACCESS_LOGGER, LinkTokenFilter
from settings import Settings
from tests.api.store import read_every_table
from tests.factories import OPERATOR, OPERATOR_KEY, catalogue_world, expect
from tests.workflows.commission_helpers import close_deal, invoice_until, invoices, pay
from tests.workflows.conftest import FAST, Live
from tests.workflows.helpers import line, outbox


async def _histories_and_attributes(live: Live) -> list[str]:
    """Every history of this test's task queue, with its search attributes and summary."""
    texts: list[str] = []
    query = f"TaskQueue = '{live.settings.TEMPORAL_TASK_QUEUE}'"
    async for execution in live.temporal.list_workflows(query):
        handle = live.temporal.get_workflow_handle(execution.id, run_id=execution.run_id)
        texts.append((await handle.fetch_history()).to_json())
        description = await handle.describe()
        texts.append(repr(description.typed_search_attributes))
        texts.append(repr(description.static_summary) + repr(description.static_details))
    return texts


async def test_keys_tokens_and_secrets_stay_out_of_histories_logs_and_the_store(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world = await catalogue_world(live.api, settings=FAST)
    alice = world.members["alice"]
    order = await close_deal(live, world, alice, [line(world, "alice-audit")])
    number = (await invoices(live, order))[alice.id]["number"]
    expect(await pay(live, number, "120.00"), 200)
    await invoice_until(live, number, "split")
    quote = expect(await live.api.get(f"/orders/{order}", headers=OPERATOR), 200)["quote_number"]
    link = expect(await live.api.get(f"/quotes/{quote}", headers=alice.headers), 200)
    token = link["client_link"].rsplit("/", 1)[-1]
    approval_tokens = {
        f"approval link token {n}": found
        for n, found in enumerate(re.findall(r"/a/([^\s/]+)", outbox_text(live)))
    }
    assert approval_tokens, "the approval requests carry their links"
    # Opened and used, so the access log and the workflow both saw it.
    first = next(iter(approval_tokens.values()))
    expect(await live.api.get(f"/a/{first}", headers={"Accept": "application/json"}), 200)
    expect(await live.api.post(f"/a/{first}/approve", json={}), 410)  # the deal is closed
    secrets = {
        "operator key": OPERATOR_KEY,
        "link secret": str(live.settings.SECRET_KEY),
        "client link token": token,
        **approval_tokens,
        **{f"key of {who}": actor.key for who, actor in world.members.items()},
        "key of the founder": world.founder.key,
    }

    histories = await _histories_and_attributes(live)
    assert len(histories) >= 6  # the quote and its invoice, three texts each
    # The test's own HTTP client logs the URLs it calls; the product's logs are the rest.
    logs = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    places = {
        "workflow histories and search attributes": "\n".join(histories),
        "logs": "\n".join(logs),
        "the database": repr(read_every_table(live.db)),
    }
    for place, text in places.items():
        for what, secret in secrets.items():
            assert secret not in text, f"the {what} is in {place} in clear"


def test_access_logs_show_client_links_without_their_token() -> None:
    token = "eyJlIjoxNzk4MDUzNjY0LCJuIjoiUS0yMDI2LTAwMDAxIiwiciI6MX0.KAS3PApJDo4B24ZJ"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", f"/q/{token}/accept?x=1", "1.1", 200),
        None,
    )

    assert LinkTokenFilter().filter(record)

    shown = record.getMessage()
    assert token not in shown
    assert '"POST /q/<token>/accept?x=1 HTTP/1.1" 200' in shown


def test_access_logs_show_approval_links_without_their_token() -> None:
    token = "eyJlIjoxNzk4MDUzNjY0LCJuIjoiUS0yMDI2LTAwMDAxIiwiciI6MSwicyI6N30.Zm9v"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", f"/a/{token}/reject", "1.1", 303),
        None,
    )

    assert LinkTokenFilter().filter(record)

    shown = record.getMessage()
    assert token not in shown
    assert '"POST /a/<token>/reject HTTP/1.1" 303' in shown


def outbox_text(live: Live) -> str:
    """Every email of the test as its recipients read it, the text parts decoded."""
    texts = []
    for message in outbox(live):
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                texts.append(payload.decode())
    return "\n".join(texts)


def test_the_app_redacts_its_access_log() -> None:
    create_app(Settings(OPERATOR_KEY="k", SECRET_KEY="s", DATABASE_URL="sqlite://"))
    access = logging.getLogger(ACCESS_LOGGER)
    assert any(isinstance(f, LinkTokenFilter) for f in access.filters)
