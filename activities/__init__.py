"""Activities; build_activities(settings) returns every one the worker registers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from settings import Settings, platform_party


def build_activities(settings: Settings) -> list[Callable[..., Any]]:
    """Binds every activity to one engine and document store for the worker's lifetime."""
    from activities.cancellations import CancellationActivities
    from activities.credit_notes import CreditNoteActivities
    from activities.mail import MailActivities
    from activities.orders import OrderActivities
    from activities.payouts import PayoutActivities
    from activities.quote_phases import QuotePhaseActivities
    from activities.quotes import QuoteActivities
    from activities.settlement import SettlementActivities
    from documents.render import DocumentStore
    from store.db import make_engine, make_session_factory

    factory = make_session_factory(make_engine(settings.DATABASE_URL))
    store = DocumentStore(settings.DOCUMENTS_DIR)
    quotes = QuoteActivities(factory)
    orders = OrderActivities(factory, store, platform_party(settings))
    mail = MailActivities(settings, factory, store)
    settlement = SettlementActivities(factory, store, settings, mail)
    credit_notes = CreditNoteActivities(factory, store, settings, mail)
    cancellations = CancellationActivities(factory)
    phases = QuotePhaseActivities(factory, quotes, orders, mail, settlement)
    payouts = PayoutActivities(factory, store, settings, mail)
    return [
        mail.send_notice,
        credit_notes.void_commission_invoice,
        credit_notes.post_commission_reversal,
        credit_notes.deliver_credit_note,
        settlement.settle_commission_payment,
        settlement.mark_commission_invoice_overdue,
        cancellations.invoices_of_cancelled_order,
        cancellations.open_quotes_of_removed_member,
        phases.record_quote_step,
        phases.open_quote_revision,
        phases.send_quote,
        phases.close_quote,
        payouts.prepare_payout_run,
        payouts.record_payout_run_decision,
        payouts.payout_run_summary,
        payouts.pay_payout_run,
        payouts.notify_payout_run,
    ]
