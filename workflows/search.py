"""Typed keys of the custom search attributes operators query in the Temporal UI."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

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
