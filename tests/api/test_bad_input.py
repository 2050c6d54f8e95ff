"""§8 on every write route: hostile input gets a 4xx whose detail names the field, and no row of
any table changes."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from models.money import MONEY as MONEY_TEXT
from models.money import PERCENT as PERCENT_TEXT
from models.money import QUANTITY, DecimalFormat
from settings import Settings
from store.db import make_session_factory
from store.membership import hash_secret
from store.tables import Invitation
from tests.api.store import Snapshot, read_every_table, wipe
from tests.factories import (
    OPERATOR,
    Actor,
    add_client,
    add_offer,
    catalogue_world,
    expect,
    found_cluster,
    join,
    offer_body,
)

Ids = dict[str, Any]
Body = Callable[[Ids], Any]
MISSING = object()
HUGE = "x" * 100_000
TOO_BIG_ID = 2**31
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    who: str
    body: Body | None


ROUTES = {
    "create cluster": Route(
        "POST",
        "/clusters",
        "operator",
        lambda ids: {
            "name": "Nordic Works",
            "currency": "EUR",
            "founder": {"name": "Nils", "company": "Nils AB", "email": "nils@nordic.example"},
        },
    ),
    "change settings": Route(
        "PATCH", "/clusters/{cluster}/settings", "founder", lambda ids: {"validity": "P10D"}
    ),
    "invite": Route("POST", "/invitations", "alice", lambda ids: {"email": "dora@x.example"}),
    "register": Route(
        "POST",
        "/members",
        "nobody",
        lambda ids: {
            "invitation_code": ids["code"],
            "name": "Dora",
            "company": "Dora Ltd",
            "email": "dora@x.example",
        },
    ),
    "register offer": Route(
        "POST",
        "/offers",
        "alice",
        lambda ids: offer_body(
            founder_component={
                "offer_id": ids["founder_offer"],
                "quantity": "1",
                "founder_price": "50.00",
            }
        ),
    ),
    "decide offer": Route(
        "POST",
        "/offers/{pending_offer}/validation",
        "founder",
        lambda ids: {"decision": "refuse", "reason": "too vague"},
    ),
    "withdraw offer": Route("POST", "/offers/{alice_offer}/withdraw", "alice", None),
    "add client": Route(
        "POST",
        "/clients",
        "alice",
        lambda ids: {"company": "Initech", "contact_name": "Peter", "email": "p@initech.example"},
    ),
    "remove member": Route("DELETE", "/members/{carol}", "founder", None),
    "update my identity": Route(
        "PATCH", "/members/me", "alice", lambda ids: {"vat_id": "FR40123456789"}
    ),
    "update client identity": Route(
        "PATCH",
        "/clients/{alice_client}",
        "alice",
        lambda ids: {"address": "1 Main Street\n75001 Paris", "vat_id": "FR12345678901"},
    ),
}


@dataclass(frozen=True)
class Case:
    route: str
    label: str
    names: str  # words the detail must contain: the field (or the object) at fault
    body: Body | bytes | None = None  # None: the route's valid body
    path: str | None = None
    who: str | None = None
    status: int | None = None


def changed(route: str, dotted: str, value: Any) -> Body:
    """The route's valid body with one (possibly nested) field replaced or removed."""

    def build(ids: Ids) -> Any:
        body = copy.deepcopy(ROUTES[route].body(ids))
        *parents, leaf = dotted.split(".")
        target = body
        for key in parents:
            target = target.setdefault(key, {})
        if value is MISSING:
            target.pop(leaf, None)
        else:
            target[leaf] = value(ids) if callable(value) else value
        return body

    return build


def field_cases(route: str, field: str, values: dict[str, Any], names: str = "") -> list[Case]:
    return [
        Case(route, f"{field} {label}", names or field, changed(route, field, value))
        for label, value in values.items()
    ]


def ref(name: str) -> Callable[[Ids], Any]:
    return lambda ids: ids[name]


def body_cases(route: str) -> list[Case]:
    """What any JSON body route must survive."""
    raw = {
        "not JSON": b"{'name': 'single quotes'",
        "truncated JSON": b'{"name": ',
        "a JSON list": b"[]",
        "a JSON string": b'"hello"',
        "JSON null": b"null",
        "no body": b"",
        "invalid UTF-8": b'{"name": "\xff\xfe"}',
        "a 5000-digit number": b'{"name": ' + b"9" * 5000 + b"}",
    }
    return [
        *(Case(route, label, "body", content) for label, content in raw.items()),
        Case(route, "unknown field", "surprise", changed(route, "surprise", 1)),
    ]


REQUIRED = {"missing": MISSING, "null": None}
TEXT = {
    **REQUIRED,
    "empty": "",
    "blank": "   ",
    "huge": HUGE,
    "with NUL": "Acme\x00Corp",
    "with a control character": "Acme\x1bCorp",
    "a number": 42,
    "a list": ["Acme"],
    "an object": {"name": "Acme"},
}
# Identity fields are optional (null clears one) but never empty, blank, huge or binary.
IDENTITY = ("address", "registration_number", "vat_id")
IDENTITY_TEXT = {label: value for label, value in TEXT.items() if label not in ("missing", "null")}
EMAIL = {
    **REQUIRED,
    "without @": "nobody.example",
    "without domain": "nobody@",
    "huge": f"{HUGE}@x.example",
    "a number": 42,
    "with NUL": "a\x00@x.example",
}
MONEY = {
    **REQUIRED,
    "a float": 12.5,
    "three decimals": "12.345",
    "negative": "-1.00",
    "exponent": "1e3",
    "words": "twelve",
    "empty": "",
    "spaced digits": "1 000",
    "a boolean": True,
    "16 integer digits": "9" * 16 + ".00",
    "NaN": "NaN",
    "Infinity": "Infinity",
    "Arabic digits": "١٢",
}
PERCENT = {
    "a float": 12.5,
    "five decimals": "12.34567",
    "negative": "-0.5",
    "over 100": "100.01",
    "words": "ten",
    "a boolean": True,
    "NaN": "NaN",
}
DURATION = {
    "zero": 0,
    "zero days": "P0D",
    "negative": -60,
    "fractional seconds": 1.5,
    "words": "soon",
    "past ten years": "P3651D",
    "absurdly long": 2**40,
    "a boolean": True,
    "empty": "",
    "a list": [60],
}
OFFER_ID = {
    "text": "abc",
    "zero": 0,
    "negative": -1,
    "beyond 32 bits": TOO_BIG_ID,
    "beyond 64 bits": 10**30,
    "a float": 1.5,
    "unknown": 999_999,
    "another cluster's founder offer": ref("other_offer"),
    "a pending founder offer": ref("pending_founder_offer"),
    "a member's offer": ref("bob_offer"),
}
# Spellings Decimal() would read but a person might not: each is refused naming the format.
NOT_DECIMAL_TEXT = {
    "underscore": "1_000",
    "fullwidth digit": "１",
    "Arabic digits": "١٢",
    "exponent": "1E+2",
    "plus sign": "+3",
    "leading space": " 2",
    "trailing point": "3.",
    "a JSON number": 12,
}


def format_cases(route: str, field: str, fmt: DecimalFormat, extra: dict[str, Any]) -> list[Case]:
    """Each malformed spelling gets a 422 whose detail names the field and its format."""
    names = f"{field}: must be {fmt.what} written like"
    values = {f"format: {label}": value for label, value in {**NOT_DECIMAL_TEXT, **extra}.items()}
    return field_cases(route, field, values, names)


def duration_cases(route: str, field: str) -> list[Case]:
    malformed = {"a dangling T": "P3DT", "years": "P1Y", "fractional seconds": "PT1.5S"}
    return field_cases(route, field, malformed, f"{field}: must be an ISO 8601 duration")


BAD_PATH_IDS = {
    "text": "abc",
    "zero": "0",
    "negative": "-1",
    "beyond 32 bits": str(TOO_BIG_ID),
    "beyond 64 bits": "9" * 25,
}


def path_cases(route: str, template: str, name: str, objects: dict[str, str]) -> list[Case]:
    """Ids that are no id, and ids of objects that are missing or in another cluster (404)."""
    return [
        *(
            Case(route, f"{name} {label}", name, path=template.format(id=value))
            for label, value in BAD_PATH_IDS.items()
        ),
        *(
            Case(route, label, obj, path=template.format(id=f"{{{key}}}"), status=404)
            for label, (key, obj) in {
                "missing id": ("missing", objects["what"]),
                "another cluster's": (objects["foreign"], objects["what"]),
            }.items()
        ),
    ]


CASES: list[Case] = [
    # POST /clusters
    *body_cases("create cluster"),
    *field_cases("create cluster", "name", TEXT),
    *field_cases("create cluster", "founder.name", TEXT),
    *field_cases("create cluster", "founder.company", TEXT),
    *field_cases("create cluster", "founder.email", EMAIL),
    *field_cases("create cluster", "founder", {**REQUIRED, "text": "Nils", "a list": []}),
    *field_cases(
        "create cluster",
        "currency",
        {**REQUIRED, "lower case": "eur", "four letters": "EURO", "numeric": 978, "empty": ""},
    ),
    *field_cases("create cluster", "settings.platform_fee_rate", PERCENT),
    *field_cases("create cluster", "settings.invitation_ttl", {"zero": 0, "words": "soon"}),
    *field_cases("create cluster", "settings.surprise", {"unknown": 1}),
    Case(
        "create cluster",
        "split rates over 100",
        "settings",
        changed("create cluster", "settings", {"platform_fee_rate": "60", "founder_rate": "41"}),
        status=422,
    ),
    Case("create cluster", "by a member", "operator", who="alice", status=403),
    Case("create cluster", "by the founder", "operator", who="founder", status=403),
    # PATCH /clusters/{id}/settings
    *body_cases("change settings"),
    *field_cases("change settings", "invitation_ttl", DURATION),
    *(
        Case("change settings", f"{name} zero", name, changed("change settings", name, 0))
        for name in ("approval_timeout", "reminder_interval", "revision_timeout", "payment_terms")
    ),
    *field_cases("change settings", "validity", {"words": "a month"}),
    *duration_cases("change settings", "validity"),
    *duration_cases("create cluster", "settings.approval_timeout"),
    *format_cases("change settings", "founder_rate", PERCENT_TEXT, {"1000": "1000"}),
    *format_cases("create cluster", "settings.platform_fee_rate", PERCENT_TEXT, {}),
    *field_cases("change settings", "platform_fee_rate", PERCENT),
    *field_cases("change settings", "founder_rate", PERCENT),
    *field_cases(
        "change settings",
        "affiliate_rates",
        {"text": "10", "a number": 10, "eleven levels": ["1"] * 11},
    ),
    *field_cases(
        "change settings", "affiliate_rates", {"level 2 words": ["10", "x"]}, "affiliate_rates.1"
    ),
    *field_cases(
        "change settings", "affiliate_rates", {"level 1 over": ["101"]}, "affiliate_rates.0"
    ),
    *field_cases(
        "change settings", "affiliate_rates", {"level 1 float": [10.5]}, "affiliate_rates.0"
    ),
    Case(
        "change settings",
        "split rates over 100",
        "settings",
        lambda ids: {"platform_fee_rate": "60", "founder_rate": "30"},
        who="operator",
        status=422,
    ),
    Case(
        "change settings",
        "affiliates push the split over 100",
        "settings",
        lambda ids: {"validity": "P1D", "affiliate_rates": ["50", "45"]},
        who="operator",
        status=422,
    ),
    *field_cases("change settings", "default_tax_rate", PERCENT),
    *(
        Case(
            "change settings",
            f"{name} by the founder",
            name,
            changed("change settings", name, value),
            status=403,
        )
        for name, value in {
            "platform_fee_rate": "5",
            "founder_rate": "1",
            "affiliate_rates": ["1"],
            "default_tax_rate": "10",
        }.items()
    ),
    *path_cases(
        "change settings",
        "/clusters/{id}/settings",
        "cluster_id",
        {"what": "cluster", "foreign": "other_cluster"},
    ),
    Case("change settings", "by a member", "founder", who="alice", status=403),
    Case("change settings", "by another founder", "cluster", who="other_founder", status=404),
    # POST /invitations
    *body_cases("invite"),
    *field_cases("invite", "email", EMAIL),
    Case(
        "invite", "own address", "email", changed("invite", "email", ref("alice_email")), status=422
    ),
    Case(
        "invite",
        "a member's address",
        "email",
        changed("invite", "email", "bob@members.example.com"),
        status=409,
    ),
    Case(
        "invite",
        "a member's address in capitals",
        "email",
        changed("invite", "email", "BOB@Members.Example.com"),
        status=409,
    ),
    Case("invite", "by the operator", "members", who="operator", status=403),
    # POST /members
    *body_cases("register"),
    *field_cases(
        "register",
        "invitation_code",
        {
            **REQUIRED,
            "unknown": "inv_not-a-code",
            "empty": "",
            "a number": 123,
            "huge": HUGE,
            "with NUL": "inv_\x00",
            "already used": ref("used_code"),
            "expired": ref("expired_code"),
            "of a removed member": ref("orphan_code"),
        },
    ),
    *field_cases("register", "name", TEXT),
    *field_cases("register", "company", TEXT),
    *field_cases("register", "email", EMAIL),
    Case(
        "register",
        "a member's address",
        "email",
        changed("register", "email", "bob@members.example.com"),
        status=409,
    ),
    Case(
        "register",
        "a member's address in capitals",
        "email",
        changed("register", "email", "Bob@MEMBERS.example.com"),
        status=409,
    ),
    # POST /offers
    *body_cases("register offer"),
    *field_cases("register offer", "name", TEXT),
    *field_cases("register offer", "description", {**TEXT, "huge": "x" * 20_001}),
    *field_cases("register offer", "playbook", {**TEXT, "huge": "x" * 20_001}),
    *field_cases("register offer", "unit", {**REQUIRED, "empty": "", "51 characters": "u" * 51}),
    *field_cases("register offer", "unit_price", MONEY),
    *format_cases("register offer", "unit_price", MONEY_TEXT, {"one decimal": "900.0"}),
    *format_cases(
        "register offer", "founder_component.founder_price", MONEY_TEXT, {"one decimal": "1.5"}
    ),
    *format_cases(
        "register offer", "founder_component.quantity", QUANTITY, {"five decimals": "1.23456"}
    ),
    *format_cases("register offer", "commission_rate", PERCENT_TEXT, {}),
    *format_cases("register offer", "max_discount", PERCENT_TEXT, {}),
    *field_cases(
        "register offer",
        "commission_rate",
        {"over 50, by the range": "50.01", "100": "100"},
        "commission_rate: must be within 0–50 %",
    ),
    *field_cases(
        "register offer", "segment", {"b2c": "b2c", "B2C ": "B2C "}, "B2C offers are refused"
    ),
    *field_cases("register offer", "commission_rate", {**REQUIRED, **PERCENT, "over 50": "50.01"}),
    *field_cases("register offer", "max_discount", {**REQUIRED, **PERCENT}),
    *field_cases(
        "register offer",
        "segment",
        {**REQUIRED, "B2C": "B2C", "retail": "retail", "lower case": "b2b", "a number": 2},
    ),
    *field_cases(
        "register offer", "procurement", {**REQUIRED, "buy": "buy", "empty": "", "a number": 1}
    ),
    *field_cases(
        "register offer", "founder_component", {"missing": MISSING, "null": None, "text": "x"}
    ),
    *field_cases("register offer", "founder_component.offer_id", {**REQUIRED, **OFFER_ID}),
    *field_cases(
        "register offer",
        "founder_component.quantity",
        {
            **REQUIRED,
            "zero": "0",
            "negative": "-1",
            "a float": 1.5,
            "five decimals": "1.23456",
            "ten integer digits": "1000000000",
            "NaN": "NaN",
            "words": "one",
            "a boolean": True,
        },
    ),
    *field_cases(
        "register offer",
        "founder_component.founder_price",
        {**MONEY, "above the unit price": "1000.01"},
    ),
    *field_cases("register offer", "founder_component.surprise", {"unknown": 1}),
    Case("register offer", "by the operator", "members", who="operator", status=403),
    # POST /offers/{id}/validation
    *body_cases("decide offer"),
    *field_cases(
        "decide offer",
        "decision",
        {**REQUIRED, "approve": "approve", "empty": "", "a number": 1, "a list": ["refuse"]},
    ),
    *field_cases(
        "decide offer",
        "reason",
        {**REQUIRED, "blank": "   ", "too long": "x" * 2001, "a number": 5, "with NUL": "a\x00"},
    ),
    *path_cases(
        "decide offer",
        "/offers/{id}/validation",
        "offer_id",
        {"what": "offer", "foreign": "olga_offer"},
    ),
    Case("decide offer", "by its owner", "founder", who="alice", status=403),
    Case("decide offer", "by another member", "offer", who="bob", status=404),
    Case("decide offer", "by another founder", "offer", who="other_founder", status=404),
    Case("decide offer", "by the operator", "members", who="operator", status=403),
    Case(
        "decide offer",
        "already validated",
        "already validated",
        path="/offers/{alice_offer}/validation",
        status=409,
    ),
    # POST /offers/{id}/withdraw
    *path_cases(
        "withdraw offer",
        "/offers/{id}/withdraw",
        "offer_id",
        {"what": "offer", "foreign": "olga_offer"},
    ),
    Case("withdraw offer", "by another member", "owner", who="bob", status=403),
    Case("withdraw offer", "by the founder", "owner", who="founder", status=403),
    Case("withdraw offer", "by the operator", "members", who="operator", status=403),
    Case(
        "withdraw offer",
        "someone's pending offer",
        "offer",
        path="/offers/{pending_offer}/withdraw",
        who="bob",
        status=404,
    ),
    Case(
        "withdraw offer",
        "already withdrawn",
        "withdrawn",
        path="/offers/{withdrawn_offer}/withdraw",
        status=409,
    ),
    # POST /clients
    *body_cases("add client"),
    *field_cases("add client", "company", TEXT),
    *field_cases("add client", "contact_name", TEXT),
    *field_cases("add client", "email", EMAIL),
    Case("add client", "by the operator", "members", who="operator", status=403),
    # DELETE /members/{id}
    *path_cases(
        "remove member", "/members/{id}", "member_id", {"what": "member", "foreign": "olga"}
    ),
    Case("remove member", "the founder", "member_id", path="/members/{founder}", status=422),
    Case("remove member", "already removed", "removed", path="/members/{dave}", status=409),
    Case("remove member", "by a member", "founder", who="alice", status=403),
    Case("remove member", "by the operator", "founder", who="operator", status=403),
    Case("remove member", "by another founder", "member", who="other_founder", status=404),
    # PATCH /members/me
    *body_cases("update my identity"),
    *(case for name in IDENTITY for case in field_cases("update my identity", name, IDENTITY_TEXT)),
    Case("update my identity", "by the operator", "members", who="operator", status=403),
    # PATCH /clients/{id}
    *body_cases("update client identity"),
    *(
        case
        for name in IDENTITY
        for case in field_cases("update client identity", name, IDENTITY_TEXT)
    ),
    *path_cases(
        "update client identity",
        "/clients/{id}",
        "client_id",
        {"what": "client", "foreign": "globex"},
    ),
    Case("update client identity", "another seller's", "client", who="bob", status=404),
    Case("update client identity", "by the operator", "members", who="operator", status=403),
]


async def build_world(api: httpx.AsyncClient, factory: sessionmaker[Session]) -> Ids:
    """Ids and keys of the catalogue world, another cluster, and invitation codes in every state."""
    world = await catalogue_world(api)
    other = await found_cluster(api, name="Pacific Trade")
    await add_offer(api, other, other.founder, "founder")
    olga = await join(api, other, other.founder, "olga")
    alice, bob, carol = (world.members[name] for name in ("alice", "bob", "carol"))
    dave = await join(api, world, carol, "dave")
    orphan_code = await _invite(api, dave, "orphan@x.example")
    expect(await api.delete(f"/members/{dave.id}", headers=world.founder.headers), 200)
    used_code = await _invite(api, alice, "erin@x.example")
    body = {"invitation_code": used_code, "name": "Erin", "company": "E", "email": "erin@x.example"}
    expect(await api.post("/members", json=body), 201)
    expired_code = await _invite(api, alice, "late@x.example")
    with factory.begin() as session:
        session.execute(
            update(Invitation)
            .where(Invitation.code_hash == hash_secret(expired_code))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    withdrawn = await add_offer(api, world, alice, "alice-old")
    expect(await api.post(f"/offers/{withdrawn}/withdraw", headers=alice.headers), 200)
    globex = await add_client(api, other, olga, "globex")
    return {
        "keys": {
            "operator": OPERATOR,
            "founder": world.founder.headers,
            "alice": alice.headers,
            "bob": bob.headers,
            "other_founder": other.founder.headers,
            "nobody": {},
        },
        "cluster": world.cluster_id,
        "other_cluster": other.cluster_id,
        "founder": world.founder.id,
        "carol": carol.id,
        "dave": dave.id,
        "olga": olga.id,
        "alice_client": world.clients["acme"],
        "globex": globex,
        "missing": 999_999,
        "alice_email": "alice@members.example.com",
        "founder_offer": world.offers["founder"],
        "alice_offer": world.offers["alice-audit"],
        "bob_offer": world.offers["bob-install"],
        "withdrawn_offer": withdrawn,
        "olga_offer": await add_offer(api, other, olga, "olga-cables", founder_offer="founder"),
        "other_offer": other.offers["founder"],
        "pending_offer": await add_offer(api, world, alice, "alice-pending", validate=False),
        "pending_founder_offer": await add_offer(
            api, world, world.founder, "founder-pending", validate=False
        ),
        "code": await _invite(api, alice, "dora@x.example"),
        "used_code": used_code,
        "expired_code": expired_code,
        "orphan_code": orphan_code,
    }


@dataclass
class SharedWorld:
    """One world for every hostile case: a refusal writes nothing, so the next case reuses it."""

    ids: Ids | None = None
    rows: Snapshot | None = None


@pytest.fixture(scope="module")
def shared(engine: Engine) -> Iterator[SharedWorld]:
    wipe(engine)
    yield SharedWorld()
    wipe(engine)


@pytest.fixture
async def lasting_api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app over a store that is left as it is after the test."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
async def prepared(
    lasting_api: httpx.AsyncClient, shared: SharedWorld, engine: Engine
) -> tuple[Ids, Snapshot]:
    """The shared world and its rows, rebuilt whenever the store no longer matches them."""
    factory = make_session_factory(engine)
    if shared.ids is None or read_every_table(factory) != shared.rows:
        wipe(engine)
        shared.ids = await build_world(lasting_api, factory)
        shared.rows = read_every_table(factory)
    return shared.ids, shared.rows


async def _invite(api: httpx.AsyncClient, inviter: Actor, email: str) -> str:
    response = await api.post("/invitations", json={"email": email}, headers=inviter.headers)
    return str(expect(response, 201)["code"])


async def send(
    api: httpx.AsyncClient, ids: Ids, route: Route, case: Case | None = None
) -> httpx.Response:
    path = ((case and case.path) or route.path).format(**ids)
    headers = dict(ids["keys"][(case and case.who) or route.who])
    body = case.body if case is not None and case.body is not None else route.body
    if isinstance(body, bytes):
        return await api.request(route.method, path, content=body, headers={**headers, **JSON})
    if body is None:
        return await api.request(route.method, path, headers=headers)
    return await api.request(route.method, path, json=body(ids), headers=headers)


@pytest.mark.parametrize("name", ROUTES)
async def test_the_untouched_request_succeeds(
    api: httpx.AsyncClient, db: sessionmaker[Session], name: str
) -> None:
    """The baseline every hostile case departs from is itself accepted."""
    response = await send(api, await build_world(api, db), ROUTES[name])
    assert response.status_code in (200, 201), response.text


@pytest.mark.parametrize("case", CASES, ids=[f"{case.route}: {case.label}" for case in CASES])
async def test_hostile_input_is_refused_by_name_and_writes_nothing(
    lasting_api: httpx.AsyncClient, prepared: tuple[Ids, Snapshot], engine: Engine, case: Case
) -> None:
    ids, before = prepared
    response = await send(lasting_api, ids, ROUTES[case.route], case)

    assert 400 <= response.status_code < 500, response.text
    if case.status is not None:
        assert response.status_code == case.status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert case.names in detail, detail
    assert read_every_table(make_session_factory(engine)) == before


def test_every_write_route_is_driven() -> None:
    assert {case.route for case in CASES} == set(ROUTES)
    assert len({(case.route, case.label) for case in CASES}) == len(CASES)
