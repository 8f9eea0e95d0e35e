"""Edit history (record_versions) and test results (lab_results)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0002", "0001", None, None


def upgrade() -> None:
    op.create_table(
        "record_versions",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("record_type", sa.String(30), nullable=False),
        sa.Column("record_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("person_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_by_name", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("changes", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_record_versions"),
        sa.UniqueConstraint("record_type", "record_id", "version", name="uq_record_versions_record_version"),
    )
    op.create_index("ix_record_versions_person_id", "record_versions", ["person_id", "changed_at"])
    op.create_table(
        "lab_results",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("specimen", sa.String(20), nullable=False),
        sa.Column("collected_on", sa.Date()),
        sa.Column("result_on", sa.Date()),
        sa.Column("laboratory", sa.String(100), nullable=False),
        sa.Column("details", postgresql.JSONB(), nullable=False),
        sa.Column("mdr", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lab_results"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_lab_results_patient_id_patients"),
    )
    op.create_index("ix_lab_results_patient_id", "lab_results", ["patient_id", "collected_on"])


def downgrade() -> None:
    op.drop_index("ix_lab_results_patient_id", table_name="lab_results")
    op.drop_table("lab_results")
    op.drop_index("ix_record_versions_person_id", table_name="record_versions")
    op.drop_table("record_versions")
