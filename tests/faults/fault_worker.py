"""worker.py with the split's idempotency guard switched off: the invariant checker's mutant.

`python -m tests.faults.fault_worker` runs the product's worker. With
ARKANNA_FAULT_SPLIT_WITHOUT_GUARD=1 the split forgets that an invoice is already split and keys
each posting by attempt instead of by (invoice, member, role) — the split as it would be
without its guard — so a retried split posts every share a second time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from uuid import uuid4

SPLIT_WITHOUT_GUARD_ENV = "ARKANNA_FAULT_SPLIT_WITHOUT_GUARD"


def switch_off_split_guard() -> None:
    import activities.ledger
    import activities.settlement
    import store.ledger
    from models.commission import posting_key
    from models.domain import InvoiceStatus
    from store.invoices import lock_invoice

    guarded = store.ledger.post_split

    def split_without_guard(session, invoice_number):  # type: ignore[no-untyped-def]
        invoice = lock_invoice(session, invoice_number)
        if invoice.status == InvoiceStatus.SPLIT:
            invoice.status = InvoiceStatus.PAID  # as if the first split had never happened
        return guarded(session, invoice_number)

    def key_per_attempt(invoice_number: str, member_id: int | None, role: str) -> str:
        return f"{posting_key(invoice_number, member_id, role)}#{uuid4().hex[:12]}"

    store.ledger.posting_key = key_per_attempt
    activities.ledger.post_split = split_without_guard  # type: ignore[assignment]
    activities.settlement.post_split = split_without_guard  # type: ignore[assignment]


def main() -> int:
    import worker

    if os.environ.get(SPLIT_WITHOUT_GUARD_ENV) == "1":
        switch_off_split_guard()
        logging.getLogger("arkanna.worker").warning("the split's idempotency guard is OFF")
    try:
        asyncio.run(worker.main())
    except Exception:
        logging.getLogger("arkanna.worker").exception("worker failed")
        return 1
    return 0


if __name__ == "__main__":
    code = main()
    # As worker.py does: skip interpreter finalisation under the SDK's native threads.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
