"""structured identities for e-invoices: SIREN, SIRET and postal address of members and clients

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("siren", 9),
    ("siret", 14),
    ("address_line1", 200),
    ("address_line2", 200),
    ("postcode", 20),
    ("city", 100),
    ("country", 2),
)
TABLES = ("members", "clients")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            for name, length in COLUMNS:
                batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            for name, _ in reversed(COLUMNS):
                batch_op.drop_column(name)
