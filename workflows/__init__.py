"""Workflow definitions; the worker registers every class listed in WORKFLOWS."""

from __future__ import annotations

from workflows.commission import CommissionInvoiceWorkflow
from workflows.quote import QuoteWorkflow

WORKFLOWS: list[type] = [QuoteWorkflow, CommissionInvoiceWorkflow]
