"""Change log (N28): every start of every service with its version, migration and settings digest."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0006", "0005", None, None


def upgrade() -> None:
    op.create_table(
        "service_starts",
        sa.Column("event_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("environment", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("commit", sa.Text(), nullable=False),
        sa.Column("migration", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("started_by", sa.Text(), nullable=False),
        sa.Column("settings_digest", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_service_starts"),
    )
    op.create_index("ix_service_starts_service", "service_starts", ["service", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_service_starts_service", table_name="service_starts")
    op.drop_table("service_starts")
