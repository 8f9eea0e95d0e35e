"""Operation history with its hash-chain head, login history, outbox and inbox."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from tbms_core.migrations import create_outbox_and_inbox, drop_outbox_and_inbox

revision, down_revision, branch_labels, depends_on = "0001", None, None, None

GENESIS_HASH = "0" * 64
# Defence in depth under the hash chain: the service's own role cannot change or remove history by mistake.
APPEND_ONLY = (
    """
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    "CREATE TRIGGER tr_audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events"
    " FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    "CREATE TRIGGER tr_audit_events_no_truncate BEFORE TRUNCATE ON audit_events"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
)


def upgrade() -> None:
    create_outbox_and_inbox()
    _create_audit_events()
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_chain_head"),
        sa.CheckConstraint("id = 1", name="ck_audit_chain_head_single_row"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])
    _create_login_events()


def _create_audit_events() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("client_ip", sa.Text(), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Text()),
        sa.Column("record_type", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Text()),
        sa.Column("query", sa.Text()),
        sa.Column("detail", sa.Text()),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_events"),
        sa.UniqueConstraint("event_id", name="uq_audit_events_event_id"),
    )
    op.create_index("ix_audit_events_person_id", "audit_events", ["person_id", "occurred_at"])
    op.create_index("ix_audit_events_user_id", "audit_events", ["user_id", "occurred_at"])
    op.create_index("ix_audit_events_username", "audit_events", ["username", "occurred_at"])
    op.create_index("ix_audit_events_occurred_at", "audit_events", ["occurred_at"])
    for statement in APPEND_ONLY:
        op.execute(statement)


def _create_login_events() -> None:
    op.create_table(
        "login_events",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(50), nullable=False),
        sa.Column("user_id", sa.String(64)),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("client_id", sa.Text(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("ip_address", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("details", postgresql.JSONB(), nullable=False),
        sa.Column("copied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_events"),
    )
    op.create_index("ix_login_events_time", "login_events", ["time"])
    op.create_index("ix_login_events_user_id", "login_events", ["user_id", "time"])
    op.create_index("ix_login_events_username", "login_events", ["username", "time"])


def downgrade() -> None:
    op.drop_table("login_events")
    op.drop_table("audit_chain_head")
    op.drop_table("audit_events")
    op.execute("DROP FUNCTION audit_events_append_only()")
    drop_outbox_and_inbox()
