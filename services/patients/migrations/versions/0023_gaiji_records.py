"""masters' 外字 master as patients keeps it (MasterChanged, kind gaiji), for the substitutes a CP932 export writes
(N26). Empty at first: until masters sends a record, the settings' JSON table is the only one."""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0023", "0022", None, None


def upgrade() -> None:
    op.create_table(
        "gaiji_records",
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("character", sa.String(1), nullable=False),
        sa.Column("substitute", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_gaiji_records"),
    )


def downgrade() -> None:
    op.drop_table("gaiji_records")
