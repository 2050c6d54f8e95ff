"""The Alembic migrations build exactly the schema the models describe, both ways."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, insert, inspect

from api.order_views import order_detail
from store.db import alembic_config, make_engine, make_session_factory
from store.status_history import status_history
from store.tables import Base, Client, Cluster, CreditNote, Member, Offer, Order


def differences(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, Base.metadata))


def test_migrated_database_matches_the_models(engine: Engine) -> None:
    assert differences(engine) == []


def test_migrations_form_a_single_line() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1


def test_downgrade_to_base_then_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrations.db'}"
    config = alembic_config(url)
    engine = make_engine(url)
    try:
        command.upgrade(config, "head")
        assert differences(engine) == []

        command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        command.upgrade(config, "head")
        assert differences(engine) == []
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _seed_at_0003(engine: Engine) -> None:
    """A cluster, a member, a client, an offer, a quote of one line and its order, written as
    the 0003 schema stored them."""
    now = datetime(2026, 3, 2, tzinfo=UTC)
    tables = MetaData()
    tables.reflect(engine)
    rows: list[tuple[str, dict[str, Any]]] = [
        ("clusters", {"id": 1, "name": "Old", "currency": "EUR", "founder_id": 1,
                      "created_at": now, "approval_timeout": 1, "reminder_interval": 1,
                      "revision_timeout": 1, "validity": 1, "payment_terms": 1,
                      "invitation_ttl": 1, "platform_fee_rate": "10", "founder_rate": "0",
                      "affiliate_rates": []}),
        ("members", {"id": 1, "cluster_id": 1, "name": "Fay", "company": "F SA",
                     "email": "f@x.example", "is_founder": True, "status": "active",
                     "api_key_hash": "h" * 64, "created_at": now}),
        ("clients", {"id": 1, "cluster_id": 1, "owner_id": 1, "company": "C", "contact_name": "Cy",
                     "email": "c@x.example", "created_at": now}),
        ("offers", {"id": 1, "cluster_id": 1, "owner_id": 1, "name": "Audit", "description": "d",
                    "unit": "day", "unit_price_cents": 10_000, "segment": "B2B",
                    "commission_rate": "10", "procurement": "direct", "max_discount": "0",
                    "playbook": "p", "status": "validated", "created_at": now}),
        ("quotes", {"number": "Q-2026-00001", "cluster_id": 1, "seller_id": 1, "client_id": 1,
                    "status": "ordered", "revision": 1, "total_cents": 20_000, "sales_team": [],
                    "created_at": now, "updated_at": now}),
        ("quote_lines", {"quote_number": "Q-2026-00001", "revision": 1, "position": 1,
                         "offer_id": 1, "supplier_id": 1, "offer_name": "Audit", "unit": "day",
                         "quantity": "2", "unit_price_cents": 10_000, "discount": "0",
                         "net_cents": 20_000, "commission_rate": "10", "procurement": "direct"}),
        ("orders", {"number": "O-2026-00001", "quote_number": "Q-2026-00001", "cluster_id": 1,
                    "seller_id": 1, "client_id": 1, "revision": 1, "status": "closed",
                    "total_cents": 20_000, "signer_name": "Cy", "frozen_terms": {},
                    "accepted_at": now}),
    ]  # fmt: skip
    with engine.begin() as connection:
        for name, values in rows:
            connection.execute(insert(tables.tables[name]).values(**values))


def test_a_database_at_0003_upgrades_and_its_deals_still_read(tmp_path: Path) -> None:
    """Old rows get no identity, offers the default 20 %, quote lines 0 % marked unrecorded:
    the order still reads, and says its tax was not recorded."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    engine = make_engine(url)
    try:
        command.upgrade(config, "0003")
        _seed_at_0003(engine)
        command.upgrade(config, "head")
        assert differences(engine) == []
        with make_session_factory(engine)() as session:
            assert session.get_one(Member, 1).vat_id is None
            assert session.get_one(Client, 1).address is None
            assert session.get_one(Offer, 1).tax_rate == Decimal(20)
            assert session.get_one(Cluster, 1).default_tax_rate == Decimal(20)
            view = order_detail(session, session.get_one(Order, "O-2026-00001"), None)
    finally:
        engine.dispose()
    assert view.tax_recorded is False and view.tax_note
    assert [t.model_dump() for t in view.taxes] == [
        {"rate": "0", "base": "200.00", "amount": "0.00"}
    ]
    assert view.total_with_tax == view.total == "200.00"
    assert view.lines[0].tax_rate == "0"


def test_a_database_at_0009_keeps_its_credit_notes_and_gets_their_status_history(
    tmp_path: Path,
) -> None:
    """Each credit note issued before 0011 cancels its invoice in full and keeps that mark;
    the status history is read back from what the invoices and credit notes record."""
    url = f"sqlite:///{tmp_path / 'at-0009.db'}"
    config = alembic_config(url)
    engine = make_engine(url)
    now = datetime(2026, 3, 9, tzinfo=UTC)
    try:
        command.upgrade(config, "0003")
        _seed_at_0003(engine)
        command.upgrade(config, "0009")
        tables = MetaData()
        tables.reflect(engine)
        invoice = {"order_number": "O-2026-00001", "cluster_id": 1, "supplier_id": 1,
                   "amount_cents": 2_000, "tax_rate": "20", "tax_cents": 400, "issued_at": now,
                   "due_at": now, "overdue": False}  # fmt: skip
        with engine.begin() as connection:
            connection.execute(insert(tables.tables["commission_invoices"]).values(
                number="C-2026-00001", status="split", paid_at=now,
                payment_reference="TRX-OLD", **invoice))  # fmt: skip
            connection.execute(insert(tables.tables["credit_notes"]).values(
                number="CN-2026-00001", invoice_number="C-2026-00001", cluster_id=1,
                supplier_id=1, amount_cents=2_000, tax_rate="20", tax_cents=400,
                reason="order cancelled", refund_due=True, issued_at=now,
                document_key="credit-notes/CN-2026-00001.pdf"))  # fmt: skip
            # A share and its clawback: the reversal references the posting it reverses.
            entries = tables.tables["ledger_entries"]
            posting = {"cluster_id": 1, "invoice_number": "C-2026-00001", "member_id": 1,
                       "role": "seller", "amount_cents": 1_000, "posted_at": now, "memo": ""}  # fmt: skip
            connection.execute(insert(entries).values(
                id=1, idempotency_key="C-2026-00001:1:seller", debit_account="clearing",
                credit_account="member:1", **posting))  # fmt: skip
            connection.execute(insert(entries).values(
                id=2, idempotency_key="C-2026-00001:1:seller:reversal", reverses_id=1,
                debit_account="member:1", credit_account="clearing", **posting))  # fmt: skip
        command.upgrade(config, "head")
        assert differences(engine) == []
        with make_session_factory(engine)() as session:
            assert session.get_one(CreditNote, "CN-2026-00001").cancels_invoice == "C-2026-00001"
            invoice_history = [
                (e.status, e.reference) for e in status_history(session, "C-2026-00001")
            ]
            note_history = [e.status for e in status_history(session, "CN-2026-00001")]
        assert invoice_history == [
            ("issued", None), ("encaissee", "TRX-OLD"), ("cancelled", "CN-2026-00001"),
        ]  # fmt: skip
        assert note_history == ["issued"]
        command.downgrade(config, "0009")
        command.upgrade(config, "head")
        assert differences(engine) == []
    finally:
        engine.dispose()
