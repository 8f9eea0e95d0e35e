"""The deadlines last published per patient, so any save (and the daily sweep) republishes only what changed."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0014", "0013", None, None


def upgrade() -> None:
    op.create_table(
        "published_deadlines",
        sa.Column("aggregate", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("deadlines", postgresql.JSONB(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("aggregate", "record_id", name="pk_published_deadlines"),
    )
    op.create_index("ix_published_deadlines_computed_on", "published_deadlines", ["computed_on"])


def downgrade() -> None:
    op.drop_index("ix_published_deadlines_computed_on", table_name="published_deadlines")
    op.drop_table("published_deadlines")
