"""Retention (N17): the record of each registration record deleted after its retention period."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0020", "0019", None, None


def upgrade() -> None:
    op.create_table(
        "retention_deletions",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("registration_no", sa.String(40), nullable=False),
        sa.Column("excluded_on", sa.Date(), nullable=False),
        sa.Column("deleted_on", sa.Date(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_by", sa.String(64), nullable=False),
        sa.Column("deleted_by_name", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=False),
        sa.Column("rows_deleted", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_retention_deletions"),
        sa.UniqueConstraint("patient_id", name="uq_retention_deletions_patient_id"),
    )


def downgrade() -> None:
    op.drop_table("retention_deletions")
