"""Patients, registration counters, outbox and inbox."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from tbms_core.migrations import create_outbox_and_inbox, drop_outbox_and_inbox

revision, down_revision, branch_labels, depends_on = "0001", None, None, None


def upgrade() -> None:
    create_outbox_and_inbox()
    op.create_table(
        "patients",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("registration_no", sa.String(20), nullable=False, unique=True),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_kana", sa.String(200), nullable=False),
        sa.Column("sex", sa.String(10), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("postal_code", sa.String(8), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("district", sa.String(20), nullable=False),
        sa.Column("nurse", sa.String(100), nullable=False),
        sa.Column("excluded_on", sa.Date()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_patients"),
        sa.UniqueConstraint("registration_no", name="uq_patients_registration_no"),
    )
    op.create_table(
        "registration_counters",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_registration_counters"),
    )


def downgrade() -> None:
    op.drop_table("registration_counters")
    op.drop_table("patients")
    drop_outbox_and_inbox()
