"""Review calendar (N21): the periodic operation-history and access-rights reviews done, by whom and when."""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0010", "0009", None, None


def upgrade() -> None:
    op.create_table(
        "periodic_reviews",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_periodic_reviews"),
        sa.UniqueConstraint("kind", "period", name="uq_periodic_reviews_kind_period"),
    )


def downgrade() -> None:
    op.drop_table("periodic_reviews")
