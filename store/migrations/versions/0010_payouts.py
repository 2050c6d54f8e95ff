"""payouts: runs, payouts, self-billing mandates and numbering; members' bank accounts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 11:21:04.679916
"""

import contextlib
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


@contextlib.contextmanager
def _rebuilt_in_place() -> Iterator[None]:
    """SQLite rebuilds a table to change a column, dropping the old one: with foreign keys
    enforced, a clawback's posting (referencing the one it reverses) would refuse the drop.
    Keys are off for the rebuild, outside a transaction as SQLite requires, and checked
    after it."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    raw = bind.connection.dbapi_connection
    if raw.in_transaction:
        raw.commit()
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
    finally:
        if raw.in_transaction:
            raw.commit()
        raw.execute("PRAGMA foreign_keys=ON")


def upgrade() -> None:

    op.create_table(
        "payout_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("workflow_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("transfer_file_key", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["clusters.id"], name=op.f("fk_payout_runs_cluster_id_clusters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_runs")),
        sa.UniqueConstraint("cluster_id", "period", name=op.f("uq_payout_runs_cluster_id_period")),
    )
    with op.batch_alter_table("payout_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payout_runs_cluster_id"), ["cluster_id"], unique=False)

    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hold_reason", sa.Text(), nullable=True),
        sa.Column("self_billed_number", sa.String(length=40), nullable=True),
        sa.Column("document_key", sa.String(length=300), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_payouts_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["payout_runs.id"], name=op.f("fk_payouts_run_id_payout_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
        sa.UniqueConstraint("member_id", "period", name=op.f("uq_payouts_member_id_period")),
        sa.UniqueConstraint("self_billed_number", name=op.f("uq_payouts_self_billed_number")),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payouts_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payouts_run_id"), ["run_id"], unique=False)

    op.create_table(
        "self_billed_counters",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_self_billed_counters_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", "year", name=op.f("pk_self_billed_counters")),
    )
    op.create_table(
        "self_billing_mandates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("text_version", sa.String(length=20), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_self_billing_mandates_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_billing_mandates")),
        sa.UniqueConstraint("member_id", name=op.f("uq_self_billing_mandates_member_id")),
    )
    with op.batch_alter_table("clusters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("payout_hold_days", sa.Integer(), server_default="30", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "payout_threshold_cents", sa.BigInteger(), server_default="5000", nullable=False
            )
        )

    with _rebuilt_in_place():
        with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
            batch_op.alter_column("invoice_number", existing_type=sa.VARCHAR(length=16), nullable=True)

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("iban", sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column("bic", sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column("bank_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("vat_regime", sa.String(length=24), nullable=True))


def _drop_columns(table: str, *columns: str) -> None:
    """SQLite drops a column in place (3.35+): rebuilding a table other rows reference would
    break their foreign keys."""
    for column in columns:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        else:
            op.drop_column(table, column)


def downgrade() -> None:
    op.drop_table("self_billing_mandates")
    op.drop_table("self_billed_counters")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payouts_run_id"))
        batch_op.drop_index(batch_op.f("ix_payouts_member_id"))
    op.drop_table("payouts")
    with op.batch_alter_table("payout_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payout_runs_cluster_id"))
    op.drop_table("payout_runs")
    # Before 0010 every posting belongs to an invoice: the payouts' postings go with them.
    op.execute("DELETE FROM ledger_entries WHERE invoice_number IS NULL")
    with _rebuilt_in_place():
        with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
            batch_op.alter_column("invoice_number", existing_type=sa.VARCHAR(length=16), nullable=False)
    _drop_columns("members", "vat_regime", "bank_changed_at", "bic", "iban")
    _drop_columns("clusters", "payout_threshold_cents", "payout_hold_days")
