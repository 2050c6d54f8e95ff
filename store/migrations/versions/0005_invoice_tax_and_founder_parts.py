"""invoice tax and founder parts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:00:00.000000

Invoices issued before this revision carry no tax: their rate and tax read 0, and what was
due on them stays their commission.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("commission_invoices") as batch:
        batch.add_column(
            sa.Column("tax_rate", sa.String(length=32), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("tax_cents", sa.BigInteger(), server_default="0", nullable=False)
        )
    op.create_table(
        "founder_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("founder_offer_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("founder_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_number"], ["orders.number"], name=op.f("fk_founder_parts_order_number_orders")
        ),
        sa.ForeignKeyConstraint(
            ["founder_offer_id"],
            ["offers.id"],
            name=op.f("fk_founder_parts_founder_offer_id_offers"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["members.id"], name=op.f("fk_founder_parts_supplier_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["founder_id"], ["members.id"], name=op.f("fk_founder_parts_founder_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_founder_parts")),
        sa.UniqueConstraint(
            "order_number", "position", name=op.f("uq_founder_parts_order_number_position")
        ),
    )
    op.create_index(
        op.f("ix_founder_parts_order_number"), "founder_parts", ["order_number"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_founder_parts_order_number"), table_name="founder_parts")
    op.drop_table("founder_parts")
    with op.batch_alter_table("commission_invoices") as batch:
        batch.drop_column("tax_cents")
        batch.drop_column("tax_rate")
