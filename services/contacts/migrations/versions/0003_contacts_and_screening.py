"""Contacts, their exposures to index patients, screening examinations and the edit history."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0003", "0002", None, None
UUID = postgresql.UUID(as_uuid=True)


def _versioned() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", UUID, nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_kana", sa.String(200), nullable=False),
        sa.Column("sex", sa.String(10), nullable=False),
        sa.Column("birth_date", sa.Date()),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("affiliation", sa.String(200), nullable=False),
        sa.Column("residence", sa.String(20), nullable=False),
        sa.Column("municipality", sa.String(100), nullable=False),
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("risk_factors", postgresql.ARRAY(sa.String(30)), nullable=False),
        sa.Column("symptomatic", sa.Boolean(), nullable=False),
        sa.Column("priority_override", sa.String(10), nullable=False),
        sa.Column("priority_reason", sa.String(300), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("outcome_on", sa.Date()),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("ended_on", sa.Date()),
        sa.Column("end_reason", sa.String(30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_versioned(),
        sa.PrimaryKeyConstraint("id", name="pk_contacts"),
    )
    op.create_index("ix_contacts_name_kana_birth", "contacts", ["name_kana", "birth_date"])
    op.create_table(
        "contact_links",
        sa.Column("id", UUID, nullable=False),
        sa.Column("contact_id", UUID, nullable=False),
        sa.Column("index_patient_id", UUID, nullable=False),
        sa.Column("created_order", sa.Integer(), nullable=False),
        sa.Column("setting", sa.String(20), nullable=False),
        sa.Column("relation", sa.String(50), nullable=False),
        sa.Column("first_contact_on", sa.Date()),
        sa.Column("last_contact_on", sa.Date()),
        sa.Column("hours", sa.Float()),
        sa.Column("frequency", sa.String(100), nullable=False),
        sa.Column("closed_room", sa.Boolean(), nullable=False),
        sa.Column("poor_ventilation", sa.Boolean(), nullable=False),
        sa.Column("infectiousness", sa.String(10), nullable=False),
        sa.Column("note", sa.String(300), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name="fk_contact_links_contact_id_contacts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_contact_links"),
    )
    op.create_index("ix_contact_links_index_patient_id", "contact_links", ["index_patient_id"])
    op.create_index("uq_contact_links_contact_index", "contact_links", ["contact_id", "index_patient_id"], unique=True)
    op.create_table(
        "screening_exams",
        sa.Column("id", UUID, nullable=False),
        sa.Column("contact_id", UUID, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("planned_on", sa.Date()),
        sa.Column("done_on", sa.Date()),
        sa.Column("institution", sa.String(200), nullable=False),
        sa.Column("institution_code", sa.String(10), nullable=False),
        sa.Column("result", sa.String(20), nullable=False),
        sa.Column("value", sa.String(50), nullable=False),
        sa.Column("erythema_mm", sa.Integer()),
        sa.Column("induration_mm", sa.Integer()),
        sa.Column("finding", sa.String(300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("cancel_reason", sa.String(300), nullable=False),
        *_versioned(),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name="fk_screening_exams_contact_id_contacts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_screening_exams"),
    )
    op.create_index("ix_screening_exams_contact_id", "screening_exams", ["contact_id"])
    op.create_table(
        "contact_versions",
        sa.Column("id", UUID, nullable=False),
        sa.Column("contact_id", UUID, nullable=False),
        sa.Column("record_type", sa.String(30), nullable=False),
        sa.Column("record_id", UUID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_by_name", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contact_versions"),
    )
    op.create_index("ix_contact_versions_contact_id", "contact_versions", ["contact_id", "changed_at"])


def downgrade() -> None:
    op.drop_table("contact_versions")
    op.drop_table("screening_exams")
    op.drop_table("contact_links")
    op.drop_table("contacts")
