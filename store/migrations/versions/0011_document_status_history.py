"""document status history for e-reporting; credit notes that correct part of an invoice

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT_KIND = sa.Enum(
    "commission_invoice", "credit_note", name="documentkind", native_enum=False, length=24
)
DOCUMENT_STATUS = sa.Enum(
    "issued", "transmitted", "encaissee", "cancelled",
    name="documentstatus", native_enum=False, length=24,
)  # fmt: skip

# The history of documents issued before it was kept, read back from what they record.
BACKFILL = (
    """INSERT INTO document_status_events (document_number, kind, status, at, reference)
    SELECT number, 'commission_invoice', 'issued', issued_at, NULL FROM commission_invoices""",
    """INSERT INTO document_status_events (document_number, kind, status, at, reference)
    SELECT number, 'commission_invoice', 'encaissee', paid_at, payment_reference
    FROM commission_invoices WHERE paid_at IS NOT NULL""",
    """INSERT INTO document_status_events (document_number, kind, status, at, reference)
    SELECT number, 'credit_note', 'issued', issued_at, NULL FROM credit_notes""",
    """INSERT INTO document_status_events (document_number, kind, status, at, reference)
    SELECT invoice_number, 'commission_invoice', 'cancelled', issued_at, number
    FROM credit_notes""",
)


def upgrade() -> None:
    op.create_table(
        "document_status_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_number", sa.String(length=16), nullable=False),
        sa.Column("kind", DOCUMENT_KIND, nullable=False),
        sa.Column("status", DOCUMENT_STATUS, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_status_events")),
        sa.UniqueConstraint(
            "document_number",
            "status",
            name=op.f("uq_document_status_events_document_number_status"),
        ),
    )
    op.create_index(
        op.f("ix_document_status_events_document_number"),
        "document_status_events",
        ["document_number"],
    )
    # Every credit note issued so far cancels its invoice in full: it keeps that mark, and an
    # invoice may now also carry credit notes that correct part of it.
    with op.batch_alter_table("credit_notes") as batch:
        batch.add_column(sa.Column("cancels_invoice", sa.String(length=16), nullable=True))
        batch.drop_constraint("uq_credit_notes_invoice_number", type_="unique")
        batch.create_index(op.f("ix_credit_notes_invoice_number"), ["invoice_number"])
        batch.create_unique_constraint(op.f("uq_credit_notes_cancels_invoice"), ["cancels_invoice"])
    op.execute("UPDATE credit_notes SET cancels_invoice = invoice_number")
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    # Corrections have no place in the older schema: only the cancelling credit notes stay.
    op.execute("DELETE FROM credit_notes WHERE cancels_invoice IS NULL")
    with op.batch_alter_table("credit_notes") as batch:
        batch.drop_constraint("uq_credit_notes_cancels_invoice", type_="unique")
        batch.drop_index("ix_credit_notes_invoice_number")
        batch.create_unique_constraint("uq_credit_notes_invoice_number", ["invoice_number"])
        batch.drop_column("cancels_invoice")
    op.drop_index(
        op.f("ix_document_status_events_document_number"), table_name="document_status_events"
    )
    op.drop_table("document_status_events")
