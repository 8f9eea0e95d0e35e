"""公費負担 records (法37条 入院 / 法37条の2 一般医療) as a kind of care record."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0005", "0004", None, None


def upgrade() -> None:
    op.create_table(
        "public_expenses",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("basis", sa.String(10), nullable=False),  # "37" or "37-2"
        sa.Column("applied_on", sa.Date()),  # 申請日（受理日）
        sa.Column("status", sa.String(20), nullable=False, server_default="applied"),
        sa.Column("valid_from", sa.Date()),
        sa.Column("valid_to", sa.Date()),
        sa.Column("payer_number", sa.String(8), nullable=False, server_default=""),  # 公費負担者番号
        sa.Column("recipient_number", sa.String(7), nullable=False, server_default=""),  # 受給者番号
        sa.Column("institution", sa.String(200), nullable=False, server_default=""),  # 指定医療機関
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_public_expenses"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_public_expenses_patient_id_patients"),
    )
    op.create_index("ix_public_expenses_patient_id", "public_expenses", ["patient_id"])


def downgrade() -> None:
    op.drop_index("ix_public_expenses_patient_id", table_name="public_expenses")
    op.drop_table("public_expenses")
