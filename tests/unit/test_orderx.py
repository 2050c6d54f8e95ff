"""Purchase orders are Order-X (Comfort): the package's own XSD check passes on the XML embedded
in the rendered PDF, and its lines, taxes and totals are the order's to the cent."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import facturx
import pytest
from lxml import etree

from documents.orderx import ORDER_X, purchase_order_xml, unit_code
from documents.render import render_purchase_order_pdf
from models.documents import PartyView, PurchaseLineView, PurchaseOrderPdf, TaxSummary, TaxView
from tests.schematron import ORDER_X_COMFORT, schematron_findings

NS = {"ram": ORDER_X.ram, "rsm": ORDER_X.rsm}
BUYER = PartyView("Sam Seller", "Seller AG", "sam@seller.example", "Hafenstr. 1\n28195 Bremen",
                  "HRB 42", "DE123456789")  # fmt: skip
SUPPLIER = PartyView("Sue Supplier", "Machines & Co", "sue@machines.example", "1 Main St",
                     "RCS 1", "FR40123456789")  # fmt: skip
CLIENT = PartyView(
    "Cleo Client", "Client SA", "cleo@client.example", "2 rue X", "B 7", "BE0123456789"
)


def make_order() -> PurchaseOrderPdf:
    # 3 × 555.55 less 2 % = 1633.317 → 1633.32; 2.5 hours × 80.00 = 200.00.
    lines = (
        PurchaseLineView("Glazing", "day", Decimal("3"), 55_555, Decimal("2"), 163_332,
                         Decimal("20")),
        PurchaseLineView("Survey", "hours", Decimal("2.5"), 8_000, Decimal("0"), 20_000,
                         Decimal("5.5")),
    )  # fmt: skip
    # 20 % of 1633.32 = 326.664 → 326.66; 5.5 % of 200.00 = 11.00.
    tax = TaxSummary(
        (TaxView(Decimal("5.5"), 20_000, 1_100), TaxView(Decimal("20"), 163_332, 32_666)),
        183_332 + 1_100 + 32_666,
    )
    return PurchaseOrderPdf(
        order_number="O-2026-00003", quote_number="Q-2026-00007", issued_on=date(2026, 3, 9),
        currency="EUR", buyer=BUYER, supplier=SUPPLIER, client=CLIENT, lines=lines,
        total_cents=183_332, tax=tax,
    )  # fmt: skip


def _cents(root: etree._Element, path: str) -> int:
    value = Fraction(root.findtext(path, namespaces=NS)) * 100
    assert value.denominator == 1, f"{path} is not a whole number of cents"
    return int(value)


def test_the_embedded_xml_passes_the_comfort_xsd_and_carries_the_order() -> None:
    order = make_order()
    name, xml = facturx.get_orderx_xml_from_pdf(render_purchase_order_pdf(order), check_xsd=True)
    assert name == "order-x.xml"
    root = etree.fromstring(xml)
    assert facturx.get_level(root) == "comfort"
    assert facturx.get_orderx_type(root) == "order"
    assert facturx.xml_check_xsd(xml, flavor="order-x", level="comfort")
    summary = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert _cents(root, summary + "LineTotalAmount") == 183_332
    assert _cents(root, summary + "TaxBasisTotalAmount") == 183_332
    assert _cents(root, summary + "TaxTotalAmount") == 1_100 + 32_666
    assert _cents(root, summary + "GrandTotalAmount") == 183_332 + 1_100 + 32_666
    items = root.findall(".//ram:IncludedSupplyChainTradeLineItem", NS)
    nets = [_cents(item, ".//ram:LineTotalAmount") for item in items]
    assert nets == [163_332, 20_000]
    # The discount is a price allowance; prices are shown to the cent (555.55 × 0.98 = 544.439
    # → 544.44) while the line net stays the exact product rounded once.
    price = ".//ram:GrossPriceProductTradePrice/ram:AppliedTradeAllowanceCharge/ram:"
    assert items[0].findtext(price + "ActualAmount", None, NS) == "11.11"
    assert items[0].findtext(price + "Reason", None, NS) == "Discount 2 %"
    assert items[0].findtext(".//ram:NetPriceProductTradePrice/ram:ChargeAmount", None, NS) == (
        "544.44"
    )
    assert items[1].find(price + "ActualAmount", NS) is None
    assert [i.find(".//ram:RequestedQuantity", NS).get("unitCode") for i in items] == [
        "DAY", "HUR"
    ]  # fmt: skip
    assert not [a for a in xml.decode().split(">") if re.search(r"^-?\d+\.\d{3,}<", a)]
    rates = [item.findtext(".//ram:RateApplicablePercent", None, NS) for item in items]
    assert rates == ["20", "5.5"]
    assert schematron_findings(xml, ORDER_X_COMFORT) == []


def test_the_schematron_names_what_a_broken_order_breaks() -> None:
    # The buyer's address is mandatory: a buyer without a legal identity breaks that rule.
    order = replace(make_order(), buyer=PartyView("Sam Seller", "Seller AG", "sam@seller.example"))
    findings = schematron_findings(purchase_order_xml(order), ORDER_X_COMFORT)
    assert findings and all("PostalTradeAddress" in finding for finding in findings)


def test_the_parties_carry_their_legal_identities() -> None:
    root = etree.fromstring(purchase_order_xml(make_order()))
    seller = root.find(".//ram:SellerTradeParty", NS)
    buyer = root.find(".//ram:BuyerTradeParty", NS)
    ship_to = root.find(".//ram:ShipToTradeParty", NS)
    assert seller is not None and buyer is not None and ship_to is not None
    assert seller.findtext("ram:Name", None, NS) == "Machines & Co"
    assert seller.findtext(".//ram:SpecifiedTaxRegistration/ram:ID", None, NS) == "FR40123456789"
    assert buyer.findtext(".//ram:SpecifiedLegalOrganization/ram:ID", None, NS) == "HRB 42"
    assert buyer.findtext(".//ram:LineOne", None, NS) == "Hafenstr. 1 28195 Bremen"
    assert buyer.findtext(".//ram:CountryID", None, NS) == "DE"
    assert ship_to.findtext("ram:Name", None, NS) == "Client SA"
    assert ship_to.findtext(".//ram:CountryID", None, NS) == "BE"


def test_a_client_whose_country_is_unknown_is_left_to_the_printed_order() -> None:
    client = replace(CLIENT, vat_id="")
    xml = purchase_order_xml(replace(make_order(), client=client))
    assert etree.fromstring(xml).find(".//ram:ShipToTradeParty", NS) is None
    assert facturx.xml_check_xsd(xml, flavor="order-x", level="comfort")
    assert schematron_findings(xml, ORDER_X_COMFORT) == []


def test_an_invalid_order_is_refused_by_the_xsd_check() -> None:
    # The currency is mandatory in the standard: without it the XSD check must fail.
    xml = purchase_order_xml(make_order()).replace(
        b"<ram:OrderCurrencyCode>EUR</ram:OrderCurrencyCode>", b""
    )
    with pytest.raises(Exception, match="not valid against the official XML Schema Definition"):
        facturx.xml_check_xsd(xml, flavor="order-x", level="comfort")


@pytest.mark.parametrize(
    ("unit", "code"),
    [("day", "DAY"), ("days", "DAY"), ("Hour", "HUR"), ("hours", "HUR"), ("m²", "MTK"),
     ("m2", "MTK"), ("unit", "C62"), ("units", "C62"), ("commissioning-visit", "C62")],
)  # fmt: skip
def test_units_carry_their_un_ece_rec_20_code(unit: str, code: str) -> None:
    assert unit_code(unit) == code
