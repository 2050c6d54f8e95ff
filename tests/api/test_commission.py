"""GET /commission-invoices… and POST …/payments: who sees which invoice, and refused payments."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass

import facturx
import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from api.app import create_app
from models.commission import InvoiceInput
from settings import Settings
from tests.factories import OPERATOR, World, expect
from tests.ledger_seed import issue, pay_and_split, seed_order


@dataclass
class Deal:
    world: World
    split: InvoiceInput  # alice's, paid and split
    issued: InvoiceInput  # bob's, unpaid


@pytest.fixture
async def deal(world: World, db: sessionmaker[Session], settings: Settings) -> Deal:
    docs = settings.DOCUMENTS_DIR
    alice = world.members["alice"]
    lines = [("alice-audit", "1"), ("bob-install", "2"), ("carol-training", "1")]
    order = seed_order(db, docs, world, alice, world.clients["acme"], lines)
    by_supplier = {i.supplier.id: i for i in issue(db, docs, order)}
    pay_and_split(db, docs, by_supplier[alice.id])
    return Deal(world, by_supplier[alice.id], by_supplier[world.members["bob"].id])


@pytest.fixture
async def with_temporal(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> AsyncIterator[httpx.AsyncClient]:
    """The API with a Temporal client, for the routes that would reach a workflow."""
    app = create_app(settings, temporal_client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    app.state.engine.dispose()


def _numbers(page: dict[str, list[dict[str, str]]]) -> list[str]:
    return [item["number"] for item in page["items"]]


async def test_a_supplier_lists_its_own_invoices_and_operators_all(
    api: httpx.AsyncClient, deal: Deal, other: World
) -> None:
    members = deal.world.members
    mine = expect(await api.get("/commission-invoices", headers=members["alice"].headers), 200)
    assert _numbers(mine) == [deal.split.number]
    assert _numbers(
        expect(await api.get("/commission-invoices", headers=members["bob"].headers), 200)
    ) == [deal.issued.number]
    for stranger in (members["carol"], deal.world.founder, other.founder):
        assert (
            _numbers(expect(await api.get("/commission-invoices", headers=stranger.headers), 200))
            == []
        )
    first = expect(await api.get("/commission-invoices?limit=1", headers=OPERATOR), 200)
    second = expect(
        await api.get(f"/commission-invoices?limit=1&cursor={first['next']}", headers=OPERATOR),
        200,
    )
    assert _numbers(first) + _numbers(second) == sorted([deal.split.number, deal.issued.number])
    split = expect(await api.get("/commission-invoices?status=split", headers=OPERATOR), 200)
    assert _numbers(split) == [deal.split.number]
    bad = await api.get("/commission-invoices?status=settled", headers=OPERATOR)
    assert bad.status_code == 422 and "status" in bad.json()["detail"]


async def test_an_invoice_shows_its_shares_to_its_supplier_only(
    api: httpx.AsyncClient, deal: Deal, other: World
) -> None:
    members, number = deal.world.members, deal.split.number
    view = expect(
        await api.get(f"/commission-invoices/{number}", headers=members["alice"].headers), 200
    )
    assert (view["amount"], view["status"], view["overdue"]) == ("120.00", "split", False)
    # The split shares the net commission; the tax comes on top and is not shared.
    assert (view["commission"], view["tax_rate"], view["tax_amount"]) == ("100.00", "20", "20.00")
    assert {(s["member_id"], s["role"], s["amount"]) for s in view["shares"]} == {
        (None, "platform", "10.00"),
        (deal.world.founder.id, "affiliate_l1", "10.00"),
        (members["alice"].id, "seller", "80.00"),
    }
    for stranger in (members["bob"], deal.world.founder, other.founder, other.members["olga"]):
        hidden = await api.get(f"/commission-invoices/{number}", headers=stranger.headers)
        assert (
            hidden.status_code == 404 and hidden.json()["detail"] == "commission invoice not found"
        )
        pdf = await api.get(f"/commission-invoices/{number}/pdf", headers=stranger.headers)
        assert pdf.status_code == 404
    missing = await api.get("/commission-invoices/C-2000-99999", headers=OPERATOR)
    assert missing.status_code == 404
    pdf = await api.get(f"/commission-invoices/{number}/pdf", headers=members["alice"].headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


async def test_refused_payments_name_the_rule(with_temporal: httpx.AsyncClient, deal: Deal) -> None:
    api, path = with_temporal, f"/commission-invoices/{deal.issued.number}/payments"
    bob = deal.world.members["bob"]
    forbidden = await api.post(
        path, json={"amount": "100.00", "reference": "T"}, headers=bob.headers
    )
    assert forbidden.status_code == 403
    cases = [
        (
            {"amount": "99.99", "reference": "T"},
            422,
            "amount: must be exactly the invoice amount, 120.00",
        ),
        (
            {"amount": "100.00", "reference": "T"},
            422,
            "amount: must be exactly the invoice amount, 120.00, not 100.00",
        ),
        ({"amount": "100.001", "reference": "T"}, 422, "amount"),
        ({"amount": 100.0, "reference": "T"}, 422, "amount"),
        ({"amount": "100.0", "reference": "T"}, 422, 'amount: must be an amount written like "'),
        ({"amount": 100, "reference": "T"}, 422, "amount: must be an amount written like"),
        ({"amount": "1E+2", "reference": "T"}, 422, "amount: must be an amount written like"),
        ({"amount": "100.00"}, 422, "reference"),
        ({"amount": "100.00", "reference": ""}, 422, "reference"),
    ]
    for body, status, words in cases:
        answer = await api.post(path, json=body, headers=OPERATOR)
        assert answer.status_code == status and words in answer.json()["detail"], answer.text
    paid = f"/commission-invoices/{deal.split.number}/payments"
    twice = await api.post(paid, json={"amount": "100.00", "reference": "T"}, headers=OPERATOR)
    assert twice.status_code == 409 and "already split" in twice.json()["detail"]
    unknown = await api.post(
        "/commission-invoices/C-2000-99999/payments",
        json={"amount": "1.00", "reference": "T"},
        headers=OPERATOR,
    )
    assert unknown.status_code == 404


async def test_operators_download_the_structured_invoice_whose_totals_are_the_views(
    api: httpx.AsyncClient, deal: Deal
) -> None:
    number = deal.issued.number
    view = expect(await api.get(f"/commission-invoices/{number}", headers=OPERATOR), 200)
    answer = await api.get(f"/commission-invoices/{number}/xml", headers=OPERATOR)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/xml"
    assert facturx.xml_check_xsd(answer.content, flavor="factur-x", level="en16931")
    ram = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
    totals = ET.fromstring(answer.content).find(
        f".//{ram}SpecifiedTradeSettlementHeaderMonetarySummation"
    )
    assert totals is not None
    figures = {child.tag.removeprefix(ram): child.text for child in totals}
    assert figures["TaxBasisTotalAmount"] == view["commission"]
    assert figures["TaxTotalAmount"] == view["tax_amount"]
    assert figures["DuePayableAmount"] == figures["GrandTotalAmount"] == view["amount"]
    supplier = deal.world.members["alice"]
    refused = await api.get(f"/commission-invoices/{number}/xml", headers=supplier.headers)
    assert refused.status_code == 403
