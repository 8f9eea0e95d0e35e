"""The 公費負担者番号 as masters sends them (MasterChanged, kind payer_number), so an approval takes its number for
the case's 法別番号 from masters itself (R29). Empty at first: until masters sends one, the number is chosen."""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0022", "0021", None, None


def upgrade() -> None:
    op.create_table(
        "payer_numbers",
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("law", sa.String(2), nullable=False),
        sa.Column("agency", sa.Text(), nullable=False, server_default=""),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_payer_numbers"),
    )


def downgrade() -> None:
    op.drop_table("payer_numbers")
