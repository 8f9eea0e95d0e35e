"""Access-rights review (N21): each administrator's confirmation of an account's rights."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0005", "0004", None, None


def upgrade() -> None:
    op.create_table(
        "rights_confirmations",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(), nullable=False),
        sa.Column("confirmed_by", sa.Text(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rights_confirmations"),
    )
    op.create_index("ix_rights_confirmations_user", "rights_confirmations", ["user_id", "confirmed_at"])


def downgrade() -> None:
    op.drop_index("ix_rights_confirmations_user", table_name="rights_confirmations")
    op.drop_table("rights_confirmations")
