"""Retention: a checkpoint where the chain resumes after a purge, and purges allowed only when asked for."""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0002", "0001", None, None

GENESIS_HASH = "0" * 64
# A purge sets `tbms.audit_purge` for its own transaction; any other DELETE, every UPDATE and TRUNCATE stay refused.
PURGE_AWARE = """
    CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND current_setting('tbms.audit_purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$
"""
APPEND_ONLY = """
    CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$
"""


def upgrade() -> None:
    checkpoint = op.create_table(
        "audit_chain_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("purged_before", sa.DateTime(timezone=True)),
        sa.Column("purged_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_audit_chain_checkpoint"),
        sa.CheckConstraint("id = 1", name="ck_audit_chain_checkpoint_single_row"),
    )
    op.bulk_insert(checkpoint, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])
    op.execute(PURGE_AWARE)


def downgrade() -> None:
    op.execute(APPEND_ONLY)
    op.drop_table("audit_chain_checkpoint")
