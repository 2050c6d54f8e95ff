"""Every workflow class the worker registers (and the replay tests replay)."""

from __future__ import annotations

from workflows.commission import CommissionInvoiceWorkflow
from workflows.quote import QuoteWorkflow

WORKFLOWS: list[type] = [QuoteWorkflow, CommissionInvoiceWorkflow]
