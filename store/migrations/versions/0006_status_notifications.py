"""status notifications

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-09 06:00:00.000000

On PostgreSQL, a change of a quote's or a commission invoice's status notifies the channel
`arkanna_status` with `quote:<number>:<status>` or `invoice:<number>:<status>`, delivered when
the writing transaction commits, so the API's long reads wait on it instead of reading the
status again and again (api/waiting.py). SQLite has no such channel: nothing to do there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "arkanna_status"
TABLES = {"quotes": "quote", "commission_invoices": "invoice"}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""
        CREATE FUNCTION arkanna_status_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', TG_ARGV[0] || ':' || NEW.number || ':' || NEW.status);
            RETURN NULL;
        END $$
    """)
    for table, kind in TABLES.items():
        op.execute(f"""
            CREATE TRIGGER {table}_status_notify AFTER UPDATE OF status ON {table}
            FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
            EXECUTE FUNCTION arkanna_status_notify('{kind}')
        """)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_status_notify ON {table}")
    op.execute("DROP FUNCTION arkanna_status_notify()")
