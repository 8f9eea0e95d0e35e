"""The rebuilds of the index from the owning services: every search process reads which one is running.

At most one runs at a time (a partial unique index); a new one takes over from a running one.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0004", "0003", None, None


def upgrade() -> None:
    op.create_table(
        "rebuilds",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_progress_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("records_sent", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("state", sa.String(20), nullable=False, server_default="running"),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_rebuilds"),
    )
    op.create_index("ix_rebuilds_started_at", "rebuilds", ["started_at"])
    op.create_index(
        "uq_rebuilds_one_running",
        "rebuilds",
        [sa.text("(state)")],
        unique=True,
        postgresql_where=sa.text("state = 'running'"),
    )


def downgrade() -> None:
    op.drop_table("rebuilds")
