"""The approved copy of a filed form: the version first printed and the 回議 whose stamps the stored PDF carries."""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0018_approved_copy", "0017", None, None


def upgrade() -> None:
    op.add_column("documents", sa.Column("original_version_id", sa.String(100), nullable=True))
    op.add_column("documents", sa.Column("approved_circulation_id", sa.String(64), nullable=True))
    op.add_column("documents", sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("documents", "approved_at")
    op.drop_column("documents", "approved_circulation_id")
    op.drop_column("documents", "original_version_id")
