"""The master data the forms print, kept from masters' MasterChanged events."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0004", "0003", None, None


def upgrade() -> None:
    op.create_table(
        "master_snapshots",
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kana", sa.String(200), nullable=False),
        sa.Column("data", postgresql.JSONB(), nullable=False),
        sa.Column("valid_from", sa.Date()),
        sa.Column("valid_to", sa.Date()),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "code", name="pk_master_snapshots"),
    )


def downgrade() -> None:
    op.drop_table("master_snapshots")
