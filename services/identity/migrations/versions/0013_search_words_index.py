"""利用統計 (N30): a period's searches and their texts read from a partial index alone, so counting a month's
search words reads the month's searches, not every operation of the month."""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0013", "0012", None, None


def upgrade() -> None:
    op.create_index(
        "ix_audit_events_searches",
        "audit_events",
        ["occurred_at"],
        postgresql_include=["query"],
        postgresql_where=sa.text("operation = 'search'"),
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_searches", table_name="audit_events")
