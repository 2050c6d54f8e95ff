"""A whole deal driven through a client generated from the OpenAPI, with its typed functions and
models only: type-checked by mypy together with the generated package, then run.

`arkanna_client` exists only in the test's temporary directory, generated just before.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, TypeVar

from arkanna_client import AuthenticatedClient, Client
from arkanna_client.api.client import accept
from arkanna_client.api.clients import add_client
from arkanna_client.api.clusters import found_cluster
from arkanna_client.api.commission import list_invoices, pay_invoice, read_invoice
from arkanna_client.api.ledger import read_ledger
from arkanna_client.api.members import create_invitation, join_cluster
from arkanna_client.api.offers import create_offer, validate_offer
from arkanna_client.api.orders import read_order
from arkanna_client.api.quotes import decide, launch_quote, read_quote
from arkanna_client.models import (
    AcceptIn,
    ApprovalStatus,
    ClientCreate,
    ClientQuoteRead,
    ClientRead,
    ClusterCreate,
    ClusterCreated,
    DecisionIn,
    FounderComponentIn,
    InvitationCreate,
    InvitationCreated,
    InvoiceRead,
    InvoiceStatus,
    LedgerRead,
    LineIn,
    MemberCreate,
    MemberCreated,
    OfferCreate,
    OfferDecision,
    OfferRead,
    OrderRead,
    OrderStatus,
    PageInvoiceRead,
    Party,
    PaymentIn,
    QuoteCreate,
    QuoteRead,
    QuoteStatus,
)

T = TypeVar("T")
BASE_URL = "http://testserver"


def ok(answer: object, kind: type[T]) -> T:
    """The success model, or a failure that shows the refusal the API gave instead."""
    assert isinstance(answer, kind), f"expected {kind.__name__}, got {answer!r}"
    return answer


@dataclass
class Deal:
    order: OrderRead
    invoice: InvoiceRead
    seller_ledger: LedgerRead


def caller(key: str, httpx_args: dict[str, Any]) -> AuthenticatedClient:
    # Strict: a status the OpenAPI does not declare raises instead of parsing to None.
    return AuthenticatedClient(
        base_url=BASE_URL, token=key, httpx_args=httpx_args, raise_on_unexpected_status=True
    )


def offer(name: str, unit_price: str, founder: FounderComponentIn | None = None) -> OfferCreate:
    body = OfferCreate(
        name=name,
        description=f"{name}, one day",
        unit="day",
        unit_price=unit_price,
        segment="B2B",
        commission_rate="10",
        procurement="direct",
        max_discount="20",
        playbook="Ask about last year's incidents.",
    )
    if founder is not None:
        body.founder_component = founder
    return body


async def new_offer(
    owner: AuthenticatedClient, founder: AuthenticatedClient, body: OfferCreate
) -> int:
    created = ok(await create_offer.asyncio(client=owner, body=body), OfferRead)
    decision = OfferDecision(decision="validate")
    await validate_offer.asyncio(created.id, client=founder, body=decision)
    return created.id


async def member(founder: AuthenticatedClient, httpx_args: dict[str, Any]) -> AuthenticatedClient:
    email = "alice@members.example.com"
    invitation = ok(
        await create_invitation.asyncio(client=founder, body=InvitationCreate(email=email)),
        InvitationCreated,
    )
    public = Client(base_url=BASE_URL, httpx_args=httpx_args, raise_on_unexpected_status=True)
    body = MemberCreate(
        invitation_code=invitation.code, name="Alice", company="Alice Ltd", email=email
    )
    joined = ok(await join_cluster.asyncio(client=public, body=body), MemberCreated)
    return caller(joined.api_key, httpx_args)


async def until(seller: AuthenticatedClient, number: str, status: QuoteStatus) -> QuoteRead:
    """Long reads until the quote has `status` (the worker moves it on its own)."""
    for _ in range(30):
        quote = ok(
            await read_quote.asyncio(number, client=seller, wait_for=status, wait=2), QuoteRead
        )
        if quote.status == status:
            return quote
        await asyncio.sleep(0.2)
    raise AssertionError(f"{number} never reached {status}")


async def invoice_of(operator: AuthenticatedClient, order_number: str) -> InvoiceRead:
    page = ok(
        await list_invoices.asyncio(client=operator, order_number=order_number), PageInvoiceRead
    )
    assert len(page.items) == 1, page
    return page.items[0]


async def split_of(operator: AuthenticatedClient, number: str) -> InvoiceRead:
    """Long reads until the paid invoice is split into the ledger."""
    for _ in range(30):
        invoice = ok(
            await read_invoice.asyncio(
                number, client=operator, wait_for=InvoiceStatus.SPLIT, wait=2
            ),
            InvoiceRead,
        )
        if invoice.status == InvoiceStatus.SPLIT:
            return invoice
    raise AssertionError(f"{number} was never split")


async def drive_deal(operator_key: str, httpx_args: dict[str, Any]) -> Deal:
    """Cluster → offers → member → client → quote → decisions → accept → order → invoice →
    payment → split → ledger."""
    operator = caller(operator_key, httpx_args)
    founder_party = Party(name="Fay Founder", company="Founder SA", email="fay@founder.example.com")
    cluster = ok(
        await found_cluster.asyncio(
            client=operator,
            body=ClusterCreate(name="Atlantic Build", currency="EUR", founder=founder_party),
        ),
        ClusterCreated,
    )
    founder = caller(cluster.founder.api_key, httpx_args)
    founder_offer = await new_offer(founder, founder, offer("Founder review", "200.00"))
    alice = await member(founder, httpx_args)
    component = FounderComponentIn(offer_id=founder_offer, quantity="1", founder_price="50.00")
    audit = await new_offer(alice, founder, offer("Audit", "1000.00", component))

    contact = ClientCreate(
        company="Acme GmbH", contact_name="Carl Client", email="carl@acme.example.com"
    )
    acme = ok(await add_client.asyncio(client=alice, body=contact), ClientRead)
    # The discount left at its documented default ("0").
    lines = [LineIn(offer_id=audit, quantity="1")]
    quote = ok(
        await launch_quote.asyncio(client=alice, body=QuoteCreate(client_id=acme.id, lines=lines)),
        QuoteRead,
    )
    for approval in quote.approvals:
        if approval.status == ApprovalStatus.PENDING:
            assert approval.supplier_id == cluster.founder.id, approval
            decision = DecisionIn(revision=quote.revision, decision="approve")
            ok(await decide.asyncio(quote.number, client=founder, body=decision), QuoteRead)

    sent = await until(alice, quote.number, QuoteStatus.SENT)
    assert isinstance(sent.client_link, str), sent
    token = sent.client_link.rsplit("/", 1)[-1]
    public = Client(base_url=BASE_URL, httpx_args=httpx_args, raise_on_unexpected_status=True)
    signature = AcceptIn(signer_name="Carl Client", po_reference="PO-7")
    answered = ok(await accept.asyncio(token, client=public, body=signature), ClientQuoteRead)
    assert answered.status == QuoteStatus.ACCEPTED, answered

    ordered = await until(alice, quote.number, QuoteStatus.ORDERED)
    assert isinstance(ordered.order_number, str), ordered
    order = ok(await read_order.asyncio(ordered.order_number, client=alice), OrderRead)
    assert order.status == OrderStatus.CLOSED and order.po_reference == "PO-7", order

    invoice = await invoice_of(operator, order.number)
    payment = PaymentIn(amount=invoice.amount, reference="TRX-1")
    ok(await pay_invoice.asyncio(invoice.number, client=operator, body=payment), InvoiceRead)
    split = await split_of(operator, invoice.number)
    ledger = ok(await read_ledger.asyncio(client=alice), LedgerRead)
    return Deal(order=order, invoice=split, seller_ledger=ledger)
