"""Typed keys of the custom search attributes operators query in the Temporal UI."""

from __future__ import annotations

from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    SearchAttributeUpdate,
    TypedSearchAttributes,
)

from models import approvals
from models.commission import InvoiceInput
from models.domain import InvoiceStatus, QuoteStatus
from models.quote_payloads import QuoteInput, QuoteState

QUOTE_NUMBER = SearchAttributeKey.for_keyword("QuoteNumber")
QUOTE_STATUS = SearchAttributeKey.for_keyword("QuoteStatus")
CLUSTER_ID = SearchAttributeKey.for_keyword("ClusterId")
SELLER_ID = SearchAttributeKey.for_keyword("SellerId")
CLIENT_COMPANY = SearchAttributeKey.for_keyword("ClientCompany")
QUOTE_TOTAL = SearchAttributeKey.for_float("QuoteTotal")
SUPPLIER_IDS = SearchAttributeKey.for_keyword_list("SupplierIds")
PENDING_SUPPLIER_IDS = SearchAttributeKey.for_keyword_list("PendingSupplierIds")
INVOICE_NUMBER = SearchAttributeKey.for_keyword("InvoiceNumber")
INVOICE_STATUS = SearchAttributeKey.for_keyword("InvoiceStatus")
INVOICE_OVERDUE = SearchAttributeKey.for_bool("InvoiceOverdue")
PAYOUT_PERIOD = SearchAttributeKey.for_keyword("PayoutPeriod")
PAYOUT_STATUS = SearchAttributeKey.for_keyword("PayoutStatus")


def quote_attributes(start: QuoteInput) -> TypedSearchAttributes:
    """What operators filter a quote's workflow by from its start on, the suppliers asked for
    their approval included; the workflow updates them when its status changes."""
    state = approvals.initial_state(start)
    return TypedSearchAttributes(
        [
            SearchAttributePair(QUOTE_NUMBER, start.number),
            SearchAttributePair(QUOTE_STATUS, QuoteStatus.PENDING_APPROVAL.value),
            SearchAttributePair(CLUSTER_ID, str(start.cluster_id)),
            SearchAttributePair(SELLER_ID, str(start.seller.id)),
            SearchAttributePair(CLIENT_COMPANY, start.client.company),
            SearchAttributePair(QUOTE_TOTAL, start.revision.total_cents / 100),
            SearchAttributePair(
                SUPPLIER_IDS, _ids(approvals.suppliers_on(state.lines, state.founder_id))
            ),
            SearchAttributePair(PENDING_SUPPLIER_IDS, _ids(pending_of(state))),
        ]
    )


def pending_of(state: QuoteState) -> list[int]:
    """Who the round asks, while the quote is out for approval."""
    if state.status != QuoteStatus.PENDING_APPROVAL:
        return []
    return approvals.pending_suppliers(state.approvals)


def quote_state_attributes(state: QuoteState) -> list[SearchAttributeUpdate]:
    """The attributes that move with the quote's status."""
    suppliers = approvals.suppliers_on(state.lines, state.founder_id)
    return [
        QUOTE_STATUS.value_set(state.status),
        QUOTE_TOTAL.value_set(state.total_cents / 100),
        SUPPLIER_IDS.value_set(_ids(suppliers)),
        PENDING_SUPPLIER_IDS.value_set(_ids(pending_of(state))),
    ]


def _ids(members: list[int]) -> list[str]:
    return [str(member) for member in members]


def invoice_attributes(invoice: InvoiceInput) -> TypedSearchAttributes:
    """What operators filter an invoice's workflow by from its start on; the workflow upserts
    only its status and its overdue flag as they change."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(INVOICE_NUMBER, invoice.number),
            SearchAttributePair(INVOICE_STATUS, InvoiceStatus.ISSUED.value),
            SearchAttributePair(INVOICE_OVERDUE, False),
            SearchAttributePair(CLUSTER_ID, str(invoice.cluster_id)),
            SearchAttributePair(SUPPLIER_IDS, [str(invoice.supplier.id)]),
        ]
    )
