"""The structured documents of a full deal: each commission invoice carries its Factur-X
(EN 16931) XML and each purchase order its Order-X (Comfort) XML, read back from the PDFs the
API serves, valid against the standards' XSD and Schematron rules, with the totals of the views
and of the amounts computed from the offers, to the cent."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from fractions import Fraction

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from documents.einvoice import RAM as CII_RAM
from documents.orderx import ORDER_X
from settings import Settings
from tests.factories import OPERATOR, Actor
from tests.schematron import BR_FR, EN16931, ORDER_X_COMFORT, schematron_findings
from tests.workflows.conftest import Live
from tests.workflows.full_deal import (
    COMPANY_OF,
    IDENTITIES,
    LINES,
    PLATFORM,
    SERVICE,
    STRUCTURED,
    cents,
    close_full_deal,
    founder_part,
    net,
    platform_stack,
    taxes,
)  # fmt: skip


@pytest.fixture
async def live(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> AsyncIterator[Live]:
    async with platform_stack(settings, db, temporal_client) as stack:
        yield stack


async def _pdf(live: Live, path: str, who: Actor) -> bytes:
    response = await live.api.get(path, headers=who.headers)
    assert response.status_code == 200, f"{path}: {response.text}"
    return response.content


def _amounts(root: etree._Element, ram: str, holder: str) -> dict[str, int]:
    found = root.find(f".//{{{ram}}}{holder}")
    assert found is not None, holder
    return {child.tag.split("}")[1]: cents(child.text or "") for child in found}


def assert_amounts_to_the_cent(xml: bytes) -> None:
    """No amount or price a reader sees carries more than two decimals."""
    root = etree.fromstring(xml)
    amounts = [el.text or "" for el in root.iter() if isinstance(el.tag, str)
               and el.tag.endswith(("Amount", "ChargeAmount"))]  # fmt: skip
    assert amounts and not [a for a in amounts if re.fullmatch(r"-?\d+(\.\d{1,2})?", a) is None]


def assert_pdfa3_markers(data: bytes, document_type: str, file_name: str) -> None:
    """What PDF/A-3 asks that can be read here: the XMP identification, the XML attached as
    an associated file of the document with the relationship the standards require, and the
    sRGB output intent."""
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    for tag, value in (("pdfaid:part", "3"), ("pdfaid:conformance", "B"),
                       ("fx:DocumentType", document_type), ("fx:DocumentFileName", file_name)):  # fmt: skip
        assert re.search(rf"<{tag}>{value}</{tag}>", xmp), f"{tag} is not {value}"
    attached = [spec.get_object() for spec in root["/AF"]]
    assert [(s["/F"], s["/AFRelationship"]) for s in attached] == [(file_name, "/Data")]
    intents = [
        intent.get_object()["/OutputConditionIdentifier"] for intent in root["/OutputIntents"]
    ]
    assert intents == ["sRGB IEC61966-2.1"]


async def test_each_commission_invoice_is_factur_x_with_the_invoice_totals(live: Live) -> None:
    deal = await close_full_deal(live)
    for name, invoice in deal.invoices.items():
        path = f"/commission-invoices/{invoice['number']}"
        data = await _pdf(live, f"{path}/pdf", deal.people[name])
        assert_pdfa3_markers(data, "INVOICE", "factur-x.xml")
        file_name, xml = facturx.get_xml_from_pdf(data, check_xsd=True)
        assert file_name == "factur-x.xml"
        assert facturx.get_level(etree.fromstring(xml)) == "en16931"
        assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
        assert schematron_findings(xml, EN16931) == []
        assert schematron_findings(xml, BR_FR) == []
        assert_amounts_to_the_cent(xml)
        served = await live.api.get(f"{path}/xml", headers=OPERATOR)
        assert served.content == xml
        root = etree.fromstring(xml)
        commission, tax, due = (cents(invoice[k]) for k in ("commission", "tax_amount", "amount"))
        totals = _amounts(root, CII_RAM, "SpecifiedTradeSettlementHeaderMonetarySummation")
        assert totals == {"LineTotalAmount": commission, "TaxBasisTotalAmount": commission,
                          "TaxTotalAmount": tax, "GrandTotalAmount": due,
                          "DuePayableAmount": due}  # fmt: skip
        line = _amounts(root, CII_RAM, "SpecifiedTradeSettlementLineMonetarySummation")
        assert line == {"LineTotalAmount": commission}
        buyer = root.find(f".//{{{CII_RAM}}}BuyerTradeParty/{{{CII_RAM}}}Name")
        seller = root.find(f".//{{{CII_RAM}}}SellerTradeParty/{{{CII_RAM}}}Name")
        assert (seller.text, buyer.text) == (PLATFORM["PLATFORM_LEGAL_NAME"], COMPANY_OF[name])  # type: ignore[union-attr]
        siren = root.findtext(f".//{{{CII_RAM}}}BuyerTradeParty/{{{CII_RAM}}}"
                              f"SpecifiedLegalOrganization/{{{CII_RAM}}}ID")  # fmt: skip
        assert siren == STRUCTURED.get(name, {}).get("siren", IDENTITIES[name][1])


async def test_each_purchase_order_is_order_x_with_its_own_lines_and_totals(live: Live) -> None:
    deal = await close_full_deal(live)
    number = deal.order["number"]
    founder, bob = deal.people["founder"], deal.people["bob"]
    bob_net = net("Bob Scaffolding")
    orders = [  # (path, reader, buyer, seller, line names, (net, tax rate) per line)
        (f"/orders/{number}/documents/{bob.id}.pdf", bob, "alice", "bob",
         ["Bob Scaffolding"], [(bob_net, "20")]),
        *((f"/orders/{number}/founder-documents/{deal.people[n].id}.pdf", founder, n,
           "founder", [SERVICE], [(founder_part(offer), "10")])
          for n, offer in (("bob", "Bob Scaffolding"), ("carol", "Carol Wiring"))),
    ]  # fmt: skip
    for path, reader, buyer, seller, names, nets in orders:
        data = await _pdf(live, path, reader)
        assert_pdfa3_markers(data, "ORDER", "order-x.xml")
        file_name, xml = facturx.get_orderx_xml_from_pdf(data, check_xsd=True)
        assert file_name == "order-x.xml"
        assert facturx.xml_check_xsd(xml, flavor="order-x", level="comfort")
        assert schematron_findings(xml, ORDER_X_COMFORT) == []
        assert_amounts_to_the_cent(xml)
        root = etree.fromstring(xml)
        ram = {"ram": ORDER_X.ram}
        parties = [root.findtext(f".//ram:{role}TradeParty/ram:Name", None, ram)
                   for role in ("Seller", "Buyer", "ShipTo")]  # fmt: skip
        assert parties == [COMPANY_OF[seller], COMPANY_OF[buyer], COMPANY_OF["client"]]
        items = root.findall(".//ram:IncludedSupplyChainTradeLineItem", ram)
        assert [item.findtext(".//ram:Name", None, ram) for item in items] == names
        assert not {offer for offer in LINES if offer not in names and offer in xml.decode()}
        assert [_amounts(item, ORDER_X.ram, "SpecifiedTradeSettlementLineMonetarySummation")
                for item in items] == [{"LineTotalAmount": n} for n, _ in nets]  # fmt: skip
        expected = taxes(nets)
        total = sum(n for n, _ in nets)
        tax = sum(amount for _, amount in expected.values())
        rates = [Fraction(item.findtext(".//ram:RateApplicablePercent", "", ram)) for item in items]
        assert rates == [Fraction(rate) for _, rate in nets]
        totals = _amounts(root, ORDER_X.ram, "SpecifiedTradeSettlementHeaderMonetarySummation")
        assert totals == {"LineTotalAmount": total, "TaxBasisTotalAmount": total,
                          "TaxTotalAmount": tax, "GrandTotalAmount": total + tax}  # fmt: skip
