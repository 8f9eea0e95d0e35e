"""masters' 外字 master as search keeps it (MasterChanged, kind gaiji): a name is found by its 外字 and by the
registered substitute alike (N11, N26). Empty at first: until masters sends a record, nothing is folded but the
異体字 every search folds."""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0005", "0004", None, None


def upgrade() -> None:
    op.create_table(
        "search_gaiji_records",
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("character", sa.String(1), nullable=False),
        sa.Column("substitute", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_search_gaiji_records"),
    )


def downgrade() -> None:
    op.drop_table("search_gaiji_records")
