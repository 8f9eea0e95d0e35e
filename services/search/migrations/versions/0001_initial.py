"""Indexed versions, outbox and inbox."""

import sqlalchemy as sa
from alembic import op
from tbms_core.migrations import create_outbox_and_inbox, drop_outbox_and_inbox

revision, down_revision, branch_labels, depends_on = "0001", None, None, None


def upgrade() -> None:
    create_outbox_and_inbox()
    op.create_table(
        "indexed_versions",
        sa.Column("record_type", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("record_type", "record_id", name="pk_indexed_versions"),
    )


def downgrade() -> None:
    op.drop_table("indexed_versions")
    drop_outbox_and_inbox()
