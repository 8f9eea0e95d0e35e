"""DOTS: the F02 checklist at the end of an LTBI course, kept with the course's review."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0012", "0011", None, None


def upgrade() -> None:
    op.add_column("dots_cohort_reviews", sa.Column("ltbi_checked_on", sa.Date()))
    op.add_column(
        "dots_cohort_reviews",
        sa.Column("ltbi_checklist", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
    )


def downgrade() -> None:
    op.drop_column("dots_cohort_reviews", "ltbi_checklist")
    op.drop_column("dots_cohort_reviews", "ltbi_checked_on")
