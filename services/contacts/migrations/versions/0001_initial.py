"""Index cases, outbox and inbox."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from tbms_core.migrations import create_outbox_and_inbox, drop_outbox_and_inbox

revision, down_revision, branch_labels, depends_on = "0001", None, None, None


def upgrade() -> None:
    create_outbox_and_inbox()
    op.create_table(
        "index_cases",
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("registration_no", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_kana", sa.String(200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("district", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", name="pk_index_cases"),
    )


def downgrade() -> None:
    op.drop_table("index_cases")
    drop_outbox_and_inbox()
