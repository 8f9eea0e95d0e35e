"""管理検診 and 行動調査 settings kept in the database (schedule intervals, the health center's added items)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0015", "0014", None, None


def upgrade() -> None:
    op.create_table(
        "followup_settings",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("value", postgresql.JSONB(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_followup_settings"),
    )


def downgrade() -> None:
    op.drop_table("followup_settings")
