"""管理検診 (plans and examinations), 行動調査 (investigations) and the 2号記録 items of progress notes."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0010", "0009", None, None


def _versioned() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(64), nullable=False),
    ]


def _of_patient(table: str, *, unique: bool = False) -> list:
    return [
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=f"fk_{table}_patient_id_patients"),
        *([sa.UniqueConstraint("patient_id", name=f"uq_{table}_patient_id")] if unique else []),
    ]


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False, server_default="")


def _string(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "followup_plans",
        *_of_patient("followup_plans", unique=True),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("ltbi", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("risk_factors", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("profile", sa.String(30), nullable=False),
        _text("note"),
        *_versioned(),
    )
    op.create_table(
        "followup_exams",
        *_of_patient("followup_exams"),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("notice_sent_on", sa.Date()),
        sa.Column("second_notice_on", sa.Date()),
        sa.Column("appointment_on", sa.Date()),
        _string("appointment_time", 20),
        _string("place", 20),
        _string("institution", 200),
        _string("method", 20),
        sa.Column("examined_on", sa.Date()),
        _text("xray_finding"),
        _string("sputum_smear", 40),
        _string("sputum_culture", 40),
        _string("judgement", 30),
        _string("outreach", 20),
        sa.Column("outreach_on", sa.Date()),
        _text("outreach_note"),
        _text("note"),
        sa.Column("extra", postgresql.JSONB(), nullable=False, server_default="{}"),
        *_versioned(),
    )
    op.create_index("ix_followup_exams_due_on", "followup_exams", ["due_on"])
    op.create_index("ix_followup_exams_patient", "followup_exams", ["patient_id"])
    op.create_index(
        "ix_followup_exams_open_due_on",
        "followup_exams",
        ["due_on"],
        postgresql_where=sa.text("examined_on IS NULL AND judgement = '' AND NOT cancelled"),
    )
    op.create_table(
        "investigations",
        *_of_patient("investigations", unique=True),
        sa.Column("interviewed_on", sa.Date()),
        _string("interviewer", 100),
        sa.Column("items", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("override_start", sa.Date()),
        sa.Column("override_end", sa.Date()),
        _text("override_reason"),
        *_versioned(),
    )
    op.add_column("progress_notes", _string("contact", 20))
    op.add_column("progress_notes", _string("met", 200))
    op.add_column("progress_notes", _text("next_action"))


def downgrade() -> None:
    for column in ("next_action", "met", "contact"):
        op.drop_column("progress_notes", column)
    op.drop_table("investigations")
    op.drop_index("ix_followup_exams_open_due_on", table_name="followup_exams")
    op.drop_index("ix_followup_exams_patient", table_name="followup_exams")
    op.drop_index("ix_followup_exams_due_on", table_name="followup_exams")
    op.drop_table("followup_exams")
    op.drop_table("followup_plans")
