"""The contact forms' code lists (接触の場, 検査の種類, 続柄・関係) as masters' コード表 sends them (MasterChanged):
one row per list and code, ended ones kept. Empty at first: the built-in lists, which the masters seed repeats,
stand until masters sends a code."""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0011", "0010", None, None


def upgrade() -> None:
    op.create_table(
        "contact_code_entries",
        sa.Column("list", sa.String(30), nullable=False),
        sa.Column("value", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("sort_order", sa.Integer()),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date()),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("list", "value", name="pk_contact_code_entries"),
    )


def downgrade() -> None:
    op.drop_table("contact_code_entries")
