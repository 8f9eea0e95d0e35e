"""患者一覧: the facts the list sorts and filters by (活動性, 注意事項, 次回予定) and indexes on its columns."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0013", "0012", None, None

PATIENT_INDEXES = {
    "ix_patients_registered_on": ["registered_on", "registration_no"],
    "ix_patients_birth_date": ["birth_date"],
    "ix_patients_district_kana": ["district", "name_kana"],
    "ix_patients_nurse_kana": ["nurse", "name_kana"],
}


def upgrade() -> None:
    op.create_table(
        "patient_list_facts",
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("classification_code", sa.String(2), nullable=False, server_default=""),
        sa.Column("activity", sa.String(10), nullable=False, server_default=""),
        sa.Column("alert_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("urgent_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("alerts", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("next_due_on", sa.Date()),
        sa.Column("next_due_what", sa.String(200), nullable=False, server_default=""),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", name="pk_patient_list_facts"),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name="fk_patient_list_facts_patient_id_patients", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_patient_list_facts_next_due_on", "patient_list_facts", ["next_due_on", "patient_id"])
    op.create_index("ix_patient_list_facts_activity", "patient_list_facts", ["activity"])
    for name, columns in PATIENT_INDEXES.items():
        op.create_index(name, "patients", columns)
    # every patient registered before has facts judged long ago: the list judges them again when a person reads them
    op.execute("INSERT INTO patient_list_facts (patient_id, computed_on) SELECT id, date '0001-01-01' FROM patients")


def downgrade() -> None:
    for name in PATIENT_INDEXES:
        op.drop_index(name, table_name="patients")
    op.drop_index("ix_patient_list_facts_activity", table_name="patient_list_facts")
    op.drop_index("ix_patient_list_facts_next_due_on", table_name="patient_list_facts")
    op.drop_table("patient_list_facts")
