"""legal identities of members and clients; tax rates of clusters, offers and quote lines

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00.000000

Existing rows: identities null (to be given), offers at the default rate of 20 %, and quote
lines at 0 % marked as unrecorded, so that old quotes and orders still read and say so.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IDENTITY = ("address", "registration_number", "vat_id")


def _identity_columns() -> list[sa.Column[str]]:
    return [
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("registration_number", sa.String(length=100), nullable=True),
        sa.Column("vat_id", sa.String(length=100), nullable=True),
    ]


def upgrade() -> None:
    for table in ("members", "clients"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in _identity_columns():
                batch_op.add_column(column)
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("default_tax_rate", sa.String(length=32), server_default="20", nullable=False)
        )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tax_rate", sa.String(length=32), server_default="20", nullable=False)
        )
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tax_rate", sa.String(length=32), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("tax_recorded", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("quote_lines", schema=None) as batch_op:
        batch_op.drop_column("tax_recorded")
        batch_op.drop_column("tax_rate")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_column("tax_rate")
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.drop_column("default_tax_rate")
    for table in ("clients", "members"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in reversed(_IDENTITY):
                batch_op.drop_column(name)
