"""The quote workflow's side effects on the store; each is idempotent by a business key."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from models.quote_lines import founder_offer_stands
from models.quote_payloads import Act, DecisionRecord, FounderCheck, SaveRevision, StatusRecord
from store.db import claim, transaction
from store.quotes import line_rows, lock_quote, offer_facts
from store.tables import Decision, Offer, Quote, QuoteLine


class QuoteActivities:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.db = session_factory

    @activity.defn(name=Act.CHECK_FOUNDER_INCLUSION)
    def check_founder_inclusion(self, check: FounderCheck) -> list[int]:
        """R8: lines whose founder offer is gone (withdrawn, refused, or no longer the founder's)."""
        with self.db() as session:
            blocked = []
            for position, offer_id in [*check.components, *check.founder_lines]:
                facts = offer_facts(session, session.get(Offer, offer_id))
                if not founder_offer_stands(facts, cluster_id=check.cluster_id):
                    blocked.append(position)
            return sorted(set(blocked))

    @activity.defn(name=Act.SAVE_QUOTE_REVISION)
    def save_quote_revision(self, save: SaveRevision) -> None:
        """Writes a revision's lines once (unique quote + revision + position)."""
        revision = save.revision
        with transaction(self.db) as session:
            quote = lock_quote(session, save.number)
            exists = session.scalars(
                select(QuoteLine.id).where(
                    QuoteLine.quote_number == save.number, QuoteLine.revision == revision.number
                )
            ).first()
            quote.revision = max(quote.revision, revision.number)
            quote.total_cents = revision.total_cents
            quote.note = revision.note
            quote.sales_team = [
                {"member_id": s.member_id, "share": str(s.share)} for s in revision.sales_team
            ]
            if exists is not None:
                return
            session.add_all(line_rows(save.number, revision))

    @activity.defn(name=Act.RECORD_QUOTE_STATUS)
    def record_quote_status(self, record: StatusRecord) -> None:
        """Keeps the list row current; an older record never overwrites a newer one, even
        when the two are written at once."""
        with transaction(self.db) as session:
            change = (
                update(Quote)
                .where(Quote.number == record.number)
                .values(
                    status=record.status,
                    revision=record.revision,
                    valid_until=record.valid_until,
                    viewed_at=record.viewed_at,
                    updated_at=record.at,
                )
            )
            claim(session, change, Quote.updated_at <= record.at)

    @activity.defn(name=Act.RECORD_DECISION)
    def record_decision(self, record: DecisionRecord) -> None:
        with transaction(self.db) as session:
            decision = session.scalars(
                select(Decision).where(
                    Decision.quote_number == record.number,
                    Decision.revision == record.revision,
                    Decision.supplier_id == record.supplier_id,
                )
            ).first()
            if decision is None:
                decision = Decision(
                    quote_number=record.number,
                    revision=record.revision,
                    supplier_id=record.supplier_id,
                    status=record.status,
                    decided_at=record.decided_at,
                )
                session.add(decision)
            decision.status = record.status  # type: ignore[assignment]
            decision.comment = record.comment
            decision.decided_at = record.decided_at
