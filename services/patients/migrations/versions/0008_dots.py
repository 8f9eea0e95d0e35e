"""DOTS: settings, F01 assessments, support plans (F07), daily confirmations (服薬確認) and the cohort review."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0008", "0007", None, None


def _versioned() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(64), nullable=False),
    ]


def _of_patient(table: str) -> list:
    return [
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=f"fk_{table}_patient_id_patients"),
    ]


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "dots_settings",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("value", postgresql.JSONB(), nullable=False),
        *_versioned(),
        sa.PrimaryKeyConstraint("key", name="pk_dots_settings"),
    )
    op.create_table(
        "dots_assessments",
        *_of_patient("dots_assessments"),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("items", postgresql.JSONB(), nullable=False),
        sa.Column("answers", postgresql.JSONB(), nullable=False),
        sa.Column("level", sa.String(1), nullable=False),
        sa.Column("suggested_type", sa.String(20), nullable=False),
        sa.Column("assessor", sa.String(100), nullable=False, server_default=""),
        _text("note"),
        *_versioned(),
    )
    op.create_index("ix_dots_assessments_patient_id", "dots_assessments", ["patient_id", "assessed_on"])
    op.create_table(
        "dots_plans",
        *_of_patient("dots_plans"),
        sa.Column("treatment_id", postgresql.UUID(as_uuid=True)),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date()),
        sa.Column("dots_type", sa.String(20), nullable=False),
        sa.Column("intensity", sa.String(10), nullable=False),
        sa.Column("interval_days", sa.Integer()),
        sa.Column("nurse", sa.String(64), nullable=False, server_default=""),
        sa.Column("nurse_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("supporters", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("conference_on", sa.Date()),
        _text("conference_participants"),
        sa.Column("consent_on", sa.Date()),
        sa.Column("consent_how", sa.String(100), nullable=False, server_default=""),
        _text("goals"),
        _text("planned_confirmations"),
        sa.Column("reviews", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("ltbi_regimen", sa.String(10), nullable=False, server_default=""),
        _text("note"),
        *_versioned(),
        sa.ForeignKeyConstraint(["treatment_id"], ["treatments.id"], name="fk_dots_plans_treatment_id_treatments"),
    )
    op.create_index("ix_dots_plans_patient_id", "dots_plans", ["patient_id", "starts_on"])
    op.create_index("ix_dots_plans_nurse", "dots_plans", ["nurse", "starts_on"])
    op.create_table(
        "dots_confirmations",
        *_of_patient("dots_confirmations"),
        sa.Column("confirmed_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("confirmed_by", sa.String(64), nullable=False),
        sa.Column("confirmed_by_name", sa.String(100), nullable=False, server_default=""),
        _text("side_effects"),
        sa.Column("remaining_doses", sa.Integer()),
        _text("note"),
        *_versioned(),
        sa.UniqueConstraint("patient_id", "confirmed_on", name="uq_dots_confirmations_patient_day"),
    )
    op.create_index("ix_dots_confirmations_confirmed_by", "dots_confirmations", ["confirmed_by", "confirmed_on"])
    # the cohort list counts each course's days from the index alone
    op.create_index(
        "ix_dots_confirmations_course",
        "dots_confirmations",
        ["patient_id", "confirmed_on"],
        postgresql_include=["status"],
    )
    op.create_table(
        "dots_cohort_reviews",
        *_of_patient("dots_cohort_reviews"),
        sa.Column("treatment_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("end_reason", sa.String(20), nullable=False, server_default=""),
        sa.Column("died_on", sa.Date()),
        sa.Column("death_cause", sa.String(10), nullable=False, server_default=""),
        sa.Column("override_outcome", sa.String(20), nullable=False, server_default=""),
        _text("override_reason"),
        sa.Column("computed_outcome", sa.String(20), nullable=False, server_default=""),
        _text("computed_rule"),
        _text("meeting_note"),
        *_versioned(),
        sa.UniqueConstraint("treatment_id", name="uq_dots_cohort_reviews_treatment_id"),
        sa.ForeignKeyConstraint(
            ["treatment_id"], ["treatments.id"], name="fk_dots_cohort_reviews_treatment_id_treatments"
        ),
    )


    # the cohort list picks the courses started in a period
    op.create_index("ix_treatments_started_on", "treatments", ["started_on"])


def downgrade() -> None:
    op.drop_index("ix_treatments_started_on", table_name="treatments")
    for table in ("dots_cohort_reviews", "dots_confirmations", "dots_plans", "dots_assessments", "dots_settings"):
        op.drop_table(table)
