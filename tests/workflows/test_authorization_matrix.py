"""Every route × every kind of caller: who reads, who acts, who is refused, and how.

A route added without a row here fails the suite. Answers to another cluster's member must be
identical to the answers for an id that does not exist, so they reveal nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import Engine, update
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from models.links import ApprovalLink, sign_approval_link
from models.payout_runs import month_paid_at, run_workflow_id
from settings import Settings
from store.db import make_session_factory
from store.tables import Member, utcnow
from tests.api.store import wipe
from tests.camt_fixtures import Entry, Tx, document
from tests.factories import (
    OPERATOR,
    OPERATOR_KEY,
    Actor,
    World,
    add_client,
    add_offer,
    catalogue_world,
    expect,
    join,
)
from tests.temporal_fixtures import running_worker, terminate_open
from tests.workflows.commission_helpers import close_deal, invoice_until, invoices, pay
from tests.workflows.conftest import FAST, Live, api_only
from tests.workflows.helpers import launch, line

# The callers, in the order each route is tried: refusals first, so that an allowed action
# (a cancellation, a removal) cannot make a later refusal look right for the wrong reason.
ROLES = ("anonymous", "stranger", "member", "supplier", "founder", "seller", "operator")
# Expected answers: OK a 2xx; ACT allowed to act (2xx, or a business refusal 409/410/422);
# 401 no identity; 403 refused role; 404 hidden like a missing object; PUBLIC the same answer
# for everyone (no API key involved).
OK, ACT, PUBLIC = "ok", "act", "public"


@dataclass
class Row:
    method: str
    path: str
    expected: dict[str, str]
    body: Callable[[Ids], Any] | None = None
    missing: dict[str, str] = field(default_factory=dict)  # placeholders of a missing object


Ids = dict[str, Any]
MISSING_ID = "999999"


def every(answer: str, **others: str) -> dict[str, str]:
    return {role: others.get(role, answer) for role in ROLES}


def members(answer: str, **others: str) -> dict[str, str]:
    """The same answer for the cluster's members; the operator reads all; anonymous 401."""
    base = {"anonymous": "401", "stranger": "404", "operator": OK}
    base.update({r: answer for r in ("member", "supplier", "founder", "seller")})
    base.update(others)
    return base


MATRIX: list[Row] = [
    Row(
        "POST", "/clusters", every("403", anonymous="401", operator=OK), lambda i: i["cluster_body"]
    ),
    Row("GET", "/clusters/{cluster}", members(OK), missing={"cluster": MISSING_ID}),
    Row(
        "PATCH",
        "/clusters/{cluster}/settings",
        members("403", founder=OK),
        lambda i: {"validity": 60},
        missing={"cluster": MISSING_ID},
    ),
    Row("GET", "/invitations", every(OK, anonymous="401", operator="403")),
    Row(
        "POST",
        "/invitations",
        every("201", anonymous="401", operator="403"),
        lambda i: {"email": "guest@x.example"},
    ),
    Row("GET", "/members", every(OK, anonymous="401")),
    Row("POST", "/members", every(PUBLIC), lambda i: {"invitation_code": "no-such-code"}),
    Row("GET", "/members/me", every(OK, anonymous="401", operator="403")),
    Row(
        "PATCH",
        "/members/me",
        every(OK, anonymous="401", operator="403"),
        lambda i: {"vat_id": "FR40123456789"},
    ),
    Row("GET", "/members/{member}", members(OK), missing={"member": MISSING_ID}),
    Row(
        "DELETE",
        "/members/{disposable}",
        members("403", founder=ACT, operator="403", stranger="403"),
        missing={"disposable": MISSING_ID},
    ),
    Row("GET", "/offers", every(OK, anonymous="401")),
    Row(
        "POST",
        "/offers",
        every("201", anonymous="401", operator="403", stranger="422", founder="422"),
        lambda i: i["offer_body"],
        missing={"founder_offer": MISSING_ID},
    ),
    Row("GET", "/offers/{offer}", members(OK), missing={"offer": MISSING_ID}),
    Row(
        "POST",
        "/offers/{pending_offer}/validation",
        members("403", founder=OK, operator="403", supplier="404"),
        lambda i: {"decision": "validate"},
        missing={"pending_offer": MISSING_ID},
    ),
    Row(
        "POST",
        "/offers/{spare_offer}/withdraw",
        members("403", seller=OK, operator="403"),
        missing={"spare_offer": MISSING_ID},
    ),
    Row("GET", "/clients", every(OK, anonymous="401")),
    Row(
        "POST",
        "/clients",
        every("201", anonymous="401", operator="403"),
        lambda i: {"company": "New Co", "contact_name": "Nina", "email": "nina@new.example"},
    ),
    Row("GET", "/clients/{client}", members("404", seller=OK), missing={"client": MISSING_ID}),
    Row(
        "PATCH",
        "/clients/{client}",
        members("404", seller=OK, operator="403"),
        lambda i: {"registration_number": "HRB 1234"},
        missing={"client": MISSING_ID},
    ),
    Row("GET", "/quotes", every(OK, anonymous="401")),
    Row(
        "POST",
        "/quotes",
        members("422", seller="201", operator="403", stranger="422"),
        lambda i: {"client_id": i["client"], "lines": [{"offer_id": i["offer"], "quantity": "1"}]},
        missing={"client": MISSING_ID},
    ),
    Row(
        "GET",
        "/quotes/{ordered_quote}",
        members("404", supplier=OK, founder=OK, seller=OK),
        missing={"ordered_quote": "Q-2000-99999"},
    ),
    Row(
        "POST",
        "/quotes/{open_quote}/decisions",
        members("404", supplier=OK, founder=OK, seller="403", operator="403"),
        lambda i: {"revision": 1, "decision": "approve"},
        missing={"open_quote": "Q-2000-99999"},
    ),
    Row(
        "POST",
        "/quotes/{open_quote}/revisions",
        members("404", supplier="403", founder="403", seller=ACT, operator="403"),
        lambda i: {"lines": [{"offer_id": i["offer"], "quantity": "2"}]},
        missing={"open_quote": "Q-2000-99999"},
    ),
    Row(
        "GET",
        "/quotes/{ordered_quote}/pdf",
        members("404", supplier="403", founder="403", seller=OK),
        missing={"ordered_quote": "Q-2000-99999"},
    ),
    Row(
        "POST",
        "/quotes/{open_quote}/cancel",
        members("404", supplier="403", founder="403", seller=OK, operator=ACT),
        lambda i: {"reason": "client went elsewhere"},
        missing={"open_quote": "Q-2000-99999"},
    ),
    Row("GET", "/orders", every(OK, anonymous="401")),
    Row(
        "GET",
        "/orders/{order}",
        members("404", supplier=OK, founder=OK, seller=OK),
        missing={"order": "O-2000-99999"},
    ),
    Row(
        "GET",
        "/orders/{order}/documents/{supplier}.pdf",
        members("404", supplier=OK, seller=OK),
        missing={"order": "O-2000-99999"},
    ),
    # The supplier (bob) owes the founder for the founder service under its line.
    Row(
        "GET",
        "/orders/{order}/founder-documents/{supplier}.pdf",
        members("404", supplier=OK, founder=OK),
        missing={"order": "O-2000-99999"},
    ),
    Row(
        "POST",
        "/orders/{order}/cancel",
        members("403", stranger="403"),
        lambda i: {"reason": "the client's company closed"},
        missing={"order": "O-2000-99999"},
    ),
    Row("GET", "/commission-invoices", every(OK, anonymous="401")),
    Row(
        "GET",
        "/commission-invoices/{invoice}",
        members("404", supplier=OK),
        missing={"invoice": "C-2000-99999"},
    ),
    Row(
        "GET",
        "/commission-invoices/{invoice}/pdf",
        members("404", supplier=OK),
        missing={"invoice": "C-2000-99999"},
    ),
    Row(
        "GET",
        "/commission-invoices/{invoice}/xml",
        members("403", stranger="403", operator=OK),
        missing={"invoice": "C-2000-99999"},
    ),
    Row(
        "POST",
        "/commission-invoices/{invoice}/payments",
        members("403", stranger="403", operator=ACT),
        lambda i: {"amount": "1.00", "reference": "TRX-9"},
        missing={"invoice": "C-2000-99999"},
    ),
    Row(
        "POST",
        "/commission-invoices/{invoice}/corrections",
        members("403", stranger="403", operator=ACT),
        lambda i: {"amount": "1.00", "reason": "the commission rate was lower"},
        missing={"invoice": "C-2000-99999"},
    ),
    Row(
        "POST",
        "/bank-statements",
        members("403", stranger="403", operator=ACT),
        lambda i: "<Document/>",
    ),
    Row("GET", "/bank-statements/suspense", members("403", stranger="403", operator=OK)),
    Row(
        "POST",
        "/bank-statements/suspense/{suspense_line}/assign",
        members("403", stranger="403", operator=ACT),
        lambda i: {"invoice_number": "{invoice}"},
        missing={"suspense_line": MISSING_ID},
    ),
    Row(
        "POST",
        "/bank-statements/suspense/{suspense_line}/refund",
        members("403", stranger="403", operator=ACT),
        lambda i: {"reason": "sent back to its payer"},
        missing={"suspense_line": MISSING_ID},
    ),
    Row(
        "GET",
        "/credit-notes/{credit_note}",
        members("404", supplier=OK),
        missing={"credit_note": "CN-2000-99999"},
    ),
    Row(
        "GET",
        "/credit-notes/{credit_note}.pdf",
        members("404", supplier=OK),
        missing={"credit_note": "CN-2000-99999"},
    ),
    Row(
        "GET",
        "/credit-notes/{credit_note}/xml",
        members("403", stranger="403", operator=OK),
        missing={"credit_note": "CN-2000-99999"},
    ),
    Row(
        "POST",
        "/payout-runs",
        members("403", stranger="403", operator=ACT),
        lambda i: {"cluster_id": i["cluster"], "period": i["payout_period"]},
    ),
    Row(
        "GET",
        "/payout-runs/{payout_run}",
        members("403", stranger="403", operator=OK),
        missing={"payout_run": MISSING_ID},
    ),
    Row(
        "POST",
        "/payout-runs/{payout_run}/decisions",
        members("403", stranger="403", operator=ACT),
        lambda i: {"action": "pause"},
        missing={"payout_run": MISSING_ID},
    ),
    Row(
        "GET",
        "/payout-runs/{payout_run}/transfer-file",
        members("403", stranger="403", operator=OK),
        missing={"payout_run": MISSING_ID},
    ),
    Row("GET", "/members/me/self-billing-mandate", every(OK, anonymous="401", operator="403")),
    Row(
        "POST",
        "/members/me/self-billing-mandate",
        every(ACT, anonymous="401", operator="403"),
        lambda i: {"text_version": i["mandate_version"]},
    ),
    Row("GET", "/members/me/payouts", every(OK, anonymous="401", operator="403")),
    Row(
        "GET",
        "/self-billed-invoices/{self_billed}.pdf",
        members("404", seller=OK),
        missing={"self_billed": "SB-999999-2000-00001"},
    ),
    Row("GET", "/ledger", every(OK, anonymous="401")),
    Row(
        "GET",
        "/members/{seller}/statement.pdf",
        members("404", seller=OK),
        missing={"seller": MISSING_ID},
    ),
    Row("GET", "/q/{token}", every(PUBLIC)),
    Row("GET", "/q/{token}/pdf", every(PUBLIC)),
    Row("POST", "/q/{token}/accept", every(PUBLIC), lambda i: {"signer_name": "Carl Client"}),
    Row("POST", "/q/{token}/decline", every(PUBLIC), lambda i: {"reason": "too dear"}),
    Row("GET", "/q/{token}/done", every(PUBLIC)),
    Row("GET", "/q/{token}/signed.pdf", every(PUBLIC)),
    # The supplier's approval link of the ordered quote: the key is the token, not the caller.
    Row("GET", "/a/{approval_token}", every(PUBLIC)),
    Row("POST", "/a/{approval_token}/approve", every(PUBLIC), lambda i: {}),
    Row("POST", "/a/{approval_token}/reject", every(PUBLIC), lambda i: {"comment": "too dear"}),
    Row("GET", "/healthz", every(PUBLIC)),
]


def _route_key(method: str, path: str) -> tuple[str, str]:
    parts = ["{}" if p.startswith("{") else p for p in path.replace(".pdf", "/.pdf").split("/")]
    return method.upper(), "/".join(parts)


def test_every_route_has_a_row(settings: Settings) -> None:
    routes = {
        _route_key(method, path)
        for path, operations in create_app(settings).openapi()["paths"].items()
        for method in operations
    }
    rows = {_route_key(row.method, row.path) for row in MATRIX}
    assert routes - rows == set(), "routes without a row in the authorization matrix"
    assert rows - routes == set(), "rows for routes that do not exist"


async def _credit_note(live: Live, world: World, seller: Actor, supplier: Actor) -> str:
    """A cancelled deal's credit note to `supplier`, once issued with its PDF."""
    order = await close_deal(live, world, seller, [line(world, "bob-install")])
    body = {"reason": "the client's company closed"}
    expect(await live.api.post(f"/orders/{order}/cancel", json=body, headers=OPERATOR), 200)
    path = f"/commission-invoices/{(await invoices(live, order))[supplier.id]['number']}"
    for _ in range(100):
        notes = expect(await live.api.get(path, headers=OPERATOR), 200)["credit_notes"]
        pdf = notes and await live.api.get(notes[0]["document"], headers=OPERATOR)
        if pdf and pdf.status_code == 200:
            return str(notes[0]["number"])
        await asyncio.sleep(0.2)
    raise AssertionError(f"no credit note for {path}")


async def _payout(live: Live, world: World, seller: Actor, order: str) -> Ids:
    """The seller's share of the order's paid invoice, paid out by an approved run: the run
    and the seller's self-billed invoice."""
    for invoice in (await invoices(live, order)).values():
        expect(await pay(live, invoice["number"], invoice["amount"]), 200)
        await invoice_until(live, invoice["number"], "split")
    body = {"payout_hold_days": 0, "payout_threshold": "0.01"}
    expect(
        await live.api.patch(f"/clusters/{world.cluster_id}/settings", json=body, headers=OPERATOR),
        200,
    )
    account = {"iban": "FR1420041010050500013M02606"}
    expect(await live.api.patch("/members/me", json=account, headers=seller.headers), 200)
    with live.db.begin() as session:  # the account was recorded three days ago
        session.execute(
            update(Member)
            .where(Member.id == seller.id)
            .values(bank_changed_at=utcnow() - timedelta(days=3))
        )
    version = expect(
        await live.api.get("/members/me/self-billing-mandate", headers=seller.headers), 200
    )["text_version"]
    mandate = {"text_version": version}
    path = "/members/me/self-billing-mandate"
    expect(await live.api.post(path, json=mandate, headers=seller.headers), 201)
    period = month_paid_at(utcnow())
    start = {"cluster_id": world.cluster_id, "period": period}
    run = expect(await live.api.post("/payout-runs", json=start, headers=OPERATOR), 201)
    decision = {"action": "approve"}
    path = f"/payout-runs/{run['id']}/decisions"
    expect(await live.api.post(path, json=decision, headers=OPERATOR), 200)
    await live.temporal.get_workflow_handle(run_workflow_id(world.cluster_id, period)).result()
    paid = expect(await live.api.get("/members/me/payouts", headers=seller.headers), 200)
    return {
        "payout_run": run["id"],
        "payout_period": period,
        "self_billed": paid[0]["self_billed_invoice"],
        "mandate_version": version,
    }


async def _world(live: Live) -> tuple[dict[str, Actor | None], Ids]:
    world = await catalogue_world(live.api, settings=FAST)
    alice, bob, carol = (world.members[n] for n in ("alice", "bob", "carol"))
    dave = await join(live.api, world, carol, "dave")
    pending = await add_offer(live.api, world, carol, "carol-pending", validate=False)
    spare = await add_offer(live.api, world, alice, "alice-spare")
    order = await close_deal(live, world, alice, [line(world, "bob-install")])
    ordered_quote = expect(await live.api.get(f"/orders/{order}", headers=OPERATOR), 200)
    quote = expect(
        await live.api.get(f"/quotes/{ordered_quote['quote_number']}", headers=alice.headers), 200
    )
    open_quote = (await launch(live, world, alice, [line(world, "bob-install")]))["number"]
    other = await catalogue_world(live.api, settings=FAST)
    stranger = other.members["alice"]
    await add_client(live.api, other, stranger, "stranger-client")
    roles: dict[str, Actor | None] = {
        "anonymous": None,
        "stranger": stranger,
        "member": carol,
        "supplier": bob,
        "founder": world.founder,
        "seller": alice,
        "operator": Actor(0, OPERATOR["Authorization"].removeprefix("Bearer "), "operator"),
    }
    ids: Ids = {
        "cluster": world.cluster_id,
        "member": carol.id,
        "disposable": dave.id,
        "offer": world.offers["bob-install"],
        "founder_offer": world.offers["founder"],
        "pending_offer": pending,
        "spare_offer": spare,
        "client": world.clients["acme"],
        "ordered_quote": quote["number"],
        "open_quote": open_quote,
        "order": order,
        "supplier": bob.id,
        "seller": alice.id,
        "invoice": (await invoices(live, order))[bob.id]["number"],
        "suspense_line": await _suspense_line(live),
        "credit_note": await _credit_note(live, world, alice, bob),
        **await _payout(live, world, alice, order),
        "token": quote["client_link"].rsplit("/", 1)[-1],
        "approval_token": sign_approval_link(
            str(live.settings.SECRET_KEY),
            ApprovalLink(quote["number"], 1, bob.id, utcnow() + timedelta(days=1)),
        ),
        "cluster_body": {
            "name": "Third",
            "currency": "EUR",
            "founder": {"name": "T", "company": "T SA", "email": "t@t.example"},
        },
    }
    ids["offer_body"] = {
        "name": "New",
        "description": "d",
        "unit": "day",
        "unit_price": "10.00",
        "segment": "B2B",
        "commission_rate": "5",
        "procurement": "direct",
        "max_discount": "0",
        "playbook": "p",
        "founder_component": {"offer_id": "{founder_offer}", "quantity": "1", "founder_price": "0"},
    }
    return roles, ids


async def _suspense_line(live: Live) -> int:
    """A credit the bank booked with nothing to match it by: it waits in suspense."""
    data = document([Entry("7.00", acct_ref="MATRIX-1", txs=[Tx(payer="Nobody")])], "MATRIX")
    headers = {**OPERATOR, "Content-Type": "application/xml"}
    expect(await live.api.post("/bank-statements", content=data, headers=headers), 200)
    page = expect(await live.api.get("/bank-statements/suspense", headers=OPERATOR), 200)
    return int(page["items"][-1]["id"])


def _fill(value: Any, ids: Ids) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


async def _send(live: Live, row: Row, actor: Actor | None, ids: Ids) -> httpx.Response:
    path = row.path.format(**{k: v for k, v in ids.items() if isinstance(v, int | str)})
    body = _fill(row.body(ids), ids) if row.body else None
    headers = actor.headers if actor else {}
    return await live.api.request(row.method, path, json=body, headers=headers)


def _matches(expected: str, code: int) -> bool:
    if expected == OK:
        return 200 <= code < 300
    if expected == ACT:
        return 200 <= code < 300 or code in (409, 410, 422)
    return str(code) == expected


@dataclass
class Answers:
    """What every caller got from every route, asked once in the matrix's order."""

    codes: dict[tuple[str, str], int] = field(default_factory=dict)
    texts: dict[tuple[str, str], str] = field(default_factory=dict)
    tells_missing: set[str] = field(default_factory=set)


def _row_id(row: Row) -> str:
    return f"{row.method} {row.path}"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def answers(
    engine: Engine,
    tmp_path_factory: pytest.TempPathFactory,
    database_url: str,
    temporal_env: WorkflowEnvironment,
) -> AsyncIterator[Answers]:
    folder = tmp_path_factory.mktemp("matrix")
    settings = Settings(
        DATABASE_URL=database_url,
        OPERATOR_KEY=OPERATOR_KEY,
        SECRET_KEY="test-secret-key",
        OUTBOX_DIR=folder / "outbox",
        DOCUMENTS_DIR=folder / "documents",
        PUBLIC_BASE_URL="http://testserver",
        # Room for every refused caller: the matrix sends many requests without a valid key.
        AUTH_FAILURES_PER_IP=10_000,
        # The account payout runs' transfer files are drawn on.
        PLATFORM_IBAN="FR7630006000011234567890189",
        PLATFORM_BIC="AGRIFRPP",
    )
    db = make_session_factory(engine)
    temporal_client = temporal_env.client
    try:
        async with api_only(settings, db, temporal_client) as live:
            queue = live.settings.TEMPORAL_TASK_QUEUE
            async with running_worker(temporal_client, live.settings, queue):
                yield await _ask_everyone(live)
                await terminate_open(temporal_client, queue)
    finally:
        wipe(engine)


async def _ask_everyone(live: Live) -> Answers:
    roles, ids = await _world(live)
    got = Answers()
    for row in MATRIX:
        for role in ROLES:
            response = await _send(live, row, roles[role], ids)
            got.codes[_row_id(row), role] = response.status_code
            got.texts[_row_id(row), role] = response.text[:300]
            if role == "stranger" and row.missing:
                missing = await _send(live, row, roles[role], {**ids, **row.missing})
                if (missing.status_code, missing.text) != (response.status_code, response.text):
                    got.tells_missing.add(_row_id(row))
    return got


PAIRS = [
    pytest.param(row, role, id=f"{_row_id(row)} as {role}", marks=pytest.mark.slow)
    for row in MATRIX
    for role in ROLES
]


@pytest.mark.parametrize(("row", "role"), PAIRS)
def test_each_caller_gets_what_the_matrix_says(answers: Answers, row: Row, role: str) -> None:
    code = answers.codes[_row_id(row), role]
    text = answers.texts[_row_id(row), role]
    assert code < 500, text
    expected = row.expected[role]
    if expected == PUBLIC:
        answered = {answers.codes[_row_id(row), r] for r in ROLES}
        assert len(answered) == 1, f"a public route answers by caller: {answered}"
    else:
        assert _matches(expected, code), f"{code}, expected {expected}: {text}"
    if role == "stranger" and row.missing:
        assert _row_id(row) not in answers.tells_missing, (
            "a stranger can tell it from a missing one"
        )
