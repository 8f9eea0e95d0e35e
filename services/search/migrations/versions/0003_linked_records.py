"""What search keeps beside the index: patients as other records show them (and their DOTS state), contacts' links.

A contact's hit shows its index patient and district, and a patient's hit its DOTS state; these come from other
events than the record's own, so the document each record was built from is kept here to rebuild it.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0003", "0002", None, None


def upgrade() -> None:
    op.create_table(
        "linked_patients",
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("registration_no", sa.String(40), nullable=False, server_default=""),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("district", sa.String(100), nullable=False, server_default=""),
        sa.Column("document", postgresql.JSONB(), nullable=True),
        sa.Column("dots_due_on", sa.Date(), nullable=True),
        sa.Column("dots_revision", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("patient_id", name="pk_linked_patients"),
    )
    op.create_table(
        "linked_dots_plans",
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("dots_type", sa.String(40), nullable=False, server_default=""),
        sa.Column("dots_type_label", sa.String(100), nullable=False, server_default=""),
        sa.Column("intensity", sa.String(10), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("plan_id", name="pk_linked_dots_plans"),
    )
    op.create_index("ix_linked_dots_plans_patient_id", "linked_dots_plans", ["patient_id"])
    op.create_table(
        "linked_contacts",
        sa.Column("contact_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("index_patient_ids", postgresql.ARRAY(sa.String(64)), nullable=False),
        sa.Column("document", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("contact_id", name="pk_linked_contacts"),
    )
    op.create_index(
        "ix_linked_contacts_index_patient_ids", "linked_contacts", ["index_patient_ids"], postgresql_using="gin"
    )


def downgrade() -> None:
    op.drop_index("ix_linked_contacts_index_patient_ids", table_name="linked_contacts")
    op.drop_table("linked_contacts")
    op.drop_index("ix_linked_dots_plans_patient_id", table_name="linked_dots_plans")
    op.drop_table("linked_dots_plans")
    op.drop_table("linked_patients")
