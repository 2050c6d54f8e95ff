"""rate limit counters

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 12:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("limit_name", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("window_ends_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("limit_name", "key", name=op.f("pk_rate_limit_counters")),
    )
    op.create_index(
        op.f("ix_rate_limit_counters_window_ends_ms"),
        "rate_limit_counters",
        ["window_ends_ms"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_limit_counters_window_ends_ms"), table_name="rate_limit_counters")
    op.drop_table("rate_limit_counters")
