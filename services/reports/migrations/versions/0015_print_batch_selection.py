"""What a batch was asked for besides its items: the 診査会 session, or the screening day and place (R19)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision, down_revision, branch_labels, depends_on = "0015", "0014", None, None


def upgrade() -> None:
    op.add_column(
        "print_batches", sa.Column("selection", JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb"))
    )


def downgrade() -> None:
    op.drop_column("print_batches", "selection")
