"""Registration-card sections of patients, test results and care records for the forms."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0002", "0001", None, None


def upgrade() -> None:
    op.add_column(
        "patient_summaries",
        sa.Column("card", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    op.create_table(
        "lab_results",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("specimen", sa.String(20), nullable=False),
        sa.Column("collected_on", sa.Date()),
        sa.Column("result_on", sa.Date()),
        sa.Column("details", postgresql.JSONB(), nullable=False),
        sa.Column("mdr", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.String(200), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lab_results"),
    )
    op.create_index("ix_lab_results_patient_id_collected_on", "lab_results", ["patient_id", "collected_on"])
    op.create_table(
        "care_records",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("data", postgresql.JSONB(), nullable=False),
        sa.Column("labels", postgresql.JSONB(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_care_records"),
    )
    op.create_index("ix_care_records_patient_id_kind", "care_records", ["patient_id", "kind"])


def downgrade() -> None:
    op.drop_index("ix_care_records_patient_id_kind", table_name="care_records")
    op.drop_table("care_records")
    op.drop_index("ix_lab_results_patient_id_collected_on", table_name="lab_results")
    op.drop_table("lab_results")
    op.drop_column("patient_summaries", "card")
