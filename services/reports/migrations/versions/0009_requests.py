"""Requests between municipalities as the reports service knows them (from tbms.contacts.request.changed.v1), for
the letters F30 (他自治体への依頼) and F27 (他自治体への回答)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0009", "0005", None, None


def upgrade() -> None:
    op.create_table(
        "request_summaries",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", postgresql.JSONB(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("request_summaries")
