"""A full deal through the API, with every party's legal identity: three suppliers (one the
founder), founder services under two lines, one resell line, three tax rates; closed and every
commission invoice paid. Beside it, what each document must say, computed here from the
offers with exact fractions, never read from the product.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from settings import Settings
from tests.factories import OPERATOR, Actor, World, add_offer, expect, found_cluster, join
from tests.temporal_fixtures import running_worker, terminate_open
from tests.workflows.commission_helpers import close_deal, invoice_until, invoices, pay
from tests.workflows.conftest import FAST, Live, api_only
from tests.workflows.helpers import line, outbox

PLATFORM = {
    "PLATFORM_LEGAL_NAME": "Arkanna SAS",
    "PLATFORM_ADDRESS": "12 rue de la Paix, 75002 Paris",
    "PLATFORM_REGISTRATION": "RCS Paris 901 234 567",
    "PLATFORM_VAT_ID": "FR12901234567",
    "PLATFORM_IBAN": "FR7630006000011234567890189",
    "PLATFORM_BIC": "AGRIFRPP",
    "PLATFORM_SIREN": "901234567",
    "PLATFORM_SIRET": "90123456700013",
    "PLATFORM_ADDRESS_LINE1": "12 rue de la Paix",
    "PLATFORM_POSTCODE": "75002",
    "PLATFORM_CITY": "Paris",
    "PLATFORM_LEGAL_FORM": "SAS",
    "PLATFORM_SHARE_CAPITAL": "10 000 EUR",
}
# Structured identities (R25): a French supplier with its SIREN, SIRET and postal address; the
# others, abroad, with their postal address and VAT id only.
STRUCTURED = {
    "carol": {"siren": "732829320", "siret": "73282932000017", "address_line1": "5 rue Haute",
              "postcode": "59000", "city": "Lille", "country": "FR"},
    "bob": {"address_line1": "9 Hafenweg", "postcode": "28195", "city": "Bremen", "country": "DE"},
}  # fmt: skip
PLATFORM_TAX = Fraction(20)
# Each party's identity: (address, registration number, VAT id), none a part of another.
IDENTITIES = {
    "founder": ("7 Keizersgracht, Amsterdam", "KvK 11223344", "NL123456789B01"),
    "alice": ("3 quai Perrache, Lyon", "RCS Lyon 552 100 554", "FR40552100554"),
    "bob": ("9 Hafenweg, Bremen", "HRB 7771 Bremen", "DE219876543"),
    "carol": ("5 rue Haute, Lille", "RCS Lille 732 829 320", "FR44732829320"),
    "client": ("21 Ostring, Hamburg", "HRB 98765 Hamburg", "DE811234567"),
}
COMPANY_OF = {"founder": "Founder SA", "alice": "Alice Ltd", "bob": "Bob Ltd",
              "carol": "Carol Ltd", "client": "Acme Industries GmbH"}  # fmt: skip
# The founder's services: (unit, unit price, tax rate, commission rate).
FOUNDER_OFFERS = {
    "Founder Platform": ("hour", "200.00", "10", "10"),
    "Founder Workshop": ("day", "310.00", "20", "10"),
}
# The deal: offer → (owner, unit, unit price, mode, tax, commission, qty, discount,
# founder service quantity and price or None).
LINES: dict[str, tuple[str, str, str, str, str, str, str, str, tuple[str, str] | None]] = {
    "Bob Scaffolding": ("bob", "day", "333.33", "resell", "20", "5", "3.5", "7.5", ("2", "41.25")),
    "Carol Wiring": (
        "carol",
        "hour",
        "77.77",
        "direct",
        "5.5",
        "10",
        "4",
        "12.5",
        ("0.5", "70.10"),
    ),
    "Founder Workshop": ("founder", "day", "310.00", "direct", "20", "10", "3", "0", None),
}
SERVICE = "Founder Platform"


@asynccontextmanager
async def platform_stack(
    settings: Settings, db: sessionmaker[Session], temporal_client: Client
) -> AsyncIterator[Live]:
    """The stack with the platform's identity configured, as a deployment has it."""
    configured = settings.model_copy(update=PLATFORM)
    async with api_only(configured, db, temporal_client) as stack:
        queue = stack.settings.TEMPORAL_TASK_QUEUE
        async with running_worker(temporal_client, stack.settings, queue):
            yield stack
            await terminate_open(temporal_client, queue)


def cents(text: str) -> int:
    value = Fraction(text) * 100
    assert value.denominator == 1, f"{text} is not a whole number of cents"
    return int(value)


def rounded(value: Fraction) -> int:
    """To the cent, half to even: Python's round of a Fraction is exact and half-even."""
    return round(value)


def net(offer: str) -> int:
    _, _, price, _, _, _, qty, discount, _ = LINES[offer]
    return rounded(Fraction(qty) * cents(price) * (1 - Fraction(discount) / 100))


def founder_part(offer: str) -> int:
    _, _, _, _, _, _, qty, discount, service = LINES[offer]
    assert service is not None
    exact = Fraction(qty) * Fraction(service[0]) * cents(service[1])
    return min(rounded(exact * (1 - Fraction(discount) / 100)), net(offer))


def taxes(nets: list[tuple[int, str]]) -> dict[Fraction, tuple[int, int]]:
    """Rate → (base, tax): the base summed per rate, its tax rounded once (R21)."""
    bases: dict[Fraction, int] = {}
    for amount, rate in nets:
        bases[Fraction(rate)] = bases.get(Fraction(rate), 0) + amount
    return {rate: (base, rounded(base * rate / 100)) for rate, base in sorted(bases.items())}


def commission(owner: str) -> int:
    """The sum of the owner's line commissions, exact, rounded once (R14)."""
    own = [(offer, row) for offer, row in LINES.items() if row[0] == owner]
    return rounded(sum((net(offer) * Fraction(row[5]) / 100 for offer, row in own), Fraction(0)))


@dataclass
class FullDeal:
    world: World
    seller: Actor
    people: dict[str, Actor]
    order: dict[str, Any]  # as the operator reads it
    quote: dict[str, Any]  # as the seller reads it
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)  # by supplier name


async def _identify(live: Live, who: Actor, name: str) -> None:
    address, registration, vat_id = IDENTITIES[name]
    body = {"address": address, "registration_number": registration, "vat_id": vat_id,
            **STRUCTURED.get(name, {})}  # fmt: skip
    expect(await live.api.patch("/members/me", json=body, headers=who.headers), 200)


async def _catalogue(live: Live) -> World:
    world = await found_cluster(live.api, settings=FAST)
    await _identify(live, world.founder, "founder")
    for label, (unit, price, tax, rate) in FOUNDER_OFFERS.items():
        await add_offer(live.api, world, world.founder, label, unit=unit, unit_price=price,
                        tax_rate=tax, commission_rate=rate)  # fmt: skip
    world.members["founder"] = world.founder
    inviter = world.founder
    for name in ("alice", "bob", "carol"):
        inviter = await join(live.api, world, inviter, name)
        await _identify(live, inviter, name)
    for label, (owner, unit, price, mode, tax, rate, _, _, service) in LINES.items():
        if owner == "founder":
            continue
        assert service is not None
        component = {"offer_id": world.offers[SERVICE], "quantity": service[0],
                     "founder_price": service[1]}  # fmt: skip
        await add_offer(live.api, world, world.members[owner], label, unit=unit,
                        unit_price=price, procurement=mode, tax_rate=tax, commission_rate=rate,
                        founder_offer=SERVICE, founder_component=component)  # fmt: skip
    return world


async def _add_client(live: Live, world: World, seller: Actor) -> None:
    address, registration, vat_id = IDENTITIES["client"]
    body = {"company": COMPANY_OF["client"], "contact_name": "Carl Client",
            "email": "carl@acme.example.com", "address": address,
            "registration_number": registration, "vat_id": vat_id}  # fmt: skip
    data = expect(await live.api.post("/clients", json=body, headers=seller.headers), 201)
    world.clients[f"{seller.name}-client"] = data["id"]


async def close_full_deal(live: Live, *, paid: bool = True) -> FullDeal:
    world = await _catalogue(live)
    alice = world.members["alice"]
    await _add_client(live, world, alice)
    lines = [line(world, label, row[6], row[7]) for label, row in LINES.items()]
    number = await close_deal(live, world, alice, lines)
    order = expect(await live.api.get(f"/orders/{number}", headers=OPERATOR), 200)
    quote = await live.quote(order["quote_number"], alice.headers)
    deal = FullDeal(world, alice, dict(world.members), order, quote)
    by_id = await invoices(live, number)
    deal.invoices = {n: by_id[a.id] for n, a in world.members.items() if a.id in by_id}
    await _emails_settled(live, len(deal.invoices))
    for invoice in deal.invoices.values() if paid else ():
        expect(await pay(live, invoice["number"], invoice["amount"]), 200)
        await invoice_until(live, invoice["number"], "split")
    return deal


async def _emails_settled(live: Live, invoice_count: int, within: float = 20) -> None:
    """Every commission invoice and the founder's notice emailed."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        subjects = [str(m["Subject"]) for m in outbox(live)]
        issued = sum("Commission invoice" in s for s in subjects)
        if issued >= invoice_count and any("your services for" in s for s in subjects):
            return
        assert asyncio.get_running_loop().time() < deadline, f"emails not sent: {subjects}"
        await asyncio.sleep(0.2)
