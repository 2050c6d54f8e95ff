"""bank statements and their booked lines

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINE_STATUS = sa.Enum(
    "matched", "posted", "suspense", "refund", "outgoing",
    name="linestatus", native_enum=False, length=24,
)


def upgrade() -> None:
    op.create_table(
        "bank_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statements")),
        sa.UniqueConstraint("statement_key", name=op.f("uq_bank_statements_statement_key")),
    )
    op.create_table(
        "bank_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_key", sa.String(length=200), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("credit", sa.Boolean(), nullable=False),
        sa.Column("reversal", sa.Boolean(), nullable=False),
        sa.Column("booked_on", sa.String(length=10), nullable=False),
        sa.Column("payer", sa.String(length=140), nullable=False),
        sa.Column("remittance", sa.Text(), nullable=False),
        sa.Column("status", LINE_STATUS, nullable=False),
        sa.Column("invoice_number", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("refund_reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statements.id"],
            name=op.f("fk_bank_lines_statement_id_bank_statements"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_number"],
            ["commission_invoices.number"],
            name=op.f("fk_bank_lines_invoice_number_commission_invoices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_lines")),
        sa.UniqueConstraint("line_key", name=op.f("uq_bank_lines_line_key")),
    )
    for column in ("statement_id", "status", "invoice_number"):
        op.create_index(op.f(f"ix_bank_lines_{column}"), "bank_lines", [column], unique=False)


def downgrade() -> None:
    for column in ("statement_id", "status", "invoice_number"):
        op.drop_index(op.f(f"ix_bank_lines_{column}"), table_name="bank_lines")
    op.drop_table("bank_lines")
    op.drop_table("bank_statements")
