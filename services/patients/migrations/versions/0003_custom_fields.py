"""Configurable fields (field_definitions) and their values (custom) on patients and lab results."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0003", "0002", None, None


def upgrade() -> None:
    op.create_table(
        "field_definitions",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("key", sa.String(50), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("choices", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("required", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("help_text", sa.Text(), nullable=False, server_default=""),
        sa.Column("sort_order", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("active_from", sa.Date()),
        sa.Column("active_to", sa.Date()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_field_definitions"),
        sa.UniqueConstraint("target", "key", name="uq_field_definitions_target_key"),
        sa.CheckConstraint("target IN ('patient', 'lab_result', 'treatment')", name="ck_field_definitions_target"),
        sa.CheckConstraint(
            "type IN ('text', 'number', 'date', 'choice', 'multi_choice', 'yes_no')",
            name="ck_field_definitions_type",
        ),
    )
    for table in ("patients", "lab_results"):
        op.add_column(
            table,
            sa.Column("custom", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        )


def downgrade() -> None:
    for table in ("lab_results", "patients"):
        op.drop_column(table, "custom")
    op.drop_table("field_definitions")
