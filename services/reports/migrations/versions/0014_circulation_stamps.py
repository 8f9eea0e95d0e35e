"""Where each record's circulation (回議) stands and its stamp boxes, kept from workflow's events for the forms."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0014", "0012", None, None


def upgrade() -> None:
    op.create_table(
        "circulation_stamps",
        sa.Column("circulation_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("service", sa.String(20), nullable=False),
        sa.Column("record_kind", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("changed_since_approval", sa.Boolean(), nullable=False),
        sa.Column("stamps", postgresql.JSONB(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("circulation_id", name="pk_circulation_stamps"),
    )
    op.create_index("ix_circulation_stamps_record", "circulation_stamps", ["service", "record_kind", "record_id"])


def downgrade() -> None:
    op.drop_index("ix_circulation_stamps_record", table_name="circulation_stamps")
    op.drop_table("circulation_stamps")
