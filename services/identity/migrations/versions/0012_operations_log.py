"""The operations log (N18): component down/up, parked events, repairs and planned stops, kept three years; and
the last state the health watcher saw of each component."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0012", "0011", None, None


def upgrade() -> None:
    op.create_table(
        "operations_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("event_id", postgresql.UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("component", sa.Text(), nullable=False),
        sa.Column("details", postgresql.JSONB(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_operations_log_time", "operations_log", ["occurred_at"])
    op.create_index("ix_operations_log_kind_time", "operations_log", ["kind", "occurred_at"])
    op.create_table(
        "component_health",
        sa.Column("component", sa.Text(), primary_key=True),
        sa.Column("up", sa.Boolean(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("component_health")
    op.drop_index("ix_operations_log_kind_time", table_name="operations_log")
    op.drop_index("ix_operations_log_time", table_name="operations_log")
    op.drop_table("operations_log")
