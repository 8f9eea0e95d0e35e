"""The 診査会 read model: sessions, cases and decisions, 患者票 and 勧告 for the forms F09–F17 and F28."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0007", "0006", None, None


def upgrade() -> None:
    op.create_table(
        "board_record_summaries",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("patient_id", postgresql.UUID(as_uuid=True)),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("data", postgresql.JSONB(), nullable=False),
        sa.Column("labels", postgresql.JSONB(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_board_record_summaries"),
    )
    op.create_index(
        "ix_board_record_summaries_kind_patient_id", "board_record_summaries", ["kind", "patient_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_board_record_summaries_kind_patient_id", table_name="board_record_summaries")
    op.drop_table("board_record_summaries")
