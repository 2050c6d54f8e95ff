"""credit notes: an issued commission invoice is cancelled by a credit note, never voided alone

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Credit notes are numbered CN-2026-00001: a two-letter kind.
    with op.batch_alter_table("number_counters") as batch:
        batch.alter_column(
            "kind", existing_type=sa.String(length=1), type_=sa.String(length=2), nullable=False
        )
    op.create_table(
        "credit_notes",
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("invoice_number", sa.String(length=16), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("tax_rate", sa.String(length=32), nullable=False),
        sa.Column("tax_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("refund_due", sa.Boolean(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document_key", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_number"],
            ["commission_invoices.number"],
            name=op.f("fk_credit_notes_invoice_number_commission_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["clusters.id"], name=op.f("fk_credit_notes_cluster_id_clusters")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["members.id"], name=op.f("fk_credit_notes_supplier_id_members")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_credit_notes")),
        sa.UniqueConstraint("invoice_number", name=op.f("uq_credit_notes_invoice_number")),
    )
    op.create_index(op.f("ix_credit_notes_cluster_id"), "credit_notes", ["cluster_id"])
    op.create_index(op.f("ix_credit_notes_supplier_id"), "credit_notes", ["supplier_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_credit_notes_supplier_id"), table_name="credit_notes")
    op.drop_index(op.f("ix_credit_notes_cluster_id"), table_name="credit_notes")
    op.drop_table("credit_notes")
    with op.batch_alter_table("number_counters") as batch:
        batch.alter_column(
            "kind", existing_type=sa.String(length=2), type_=sa.String(length=1), nullable=False
        )
