"""The 記載事項変更届 applied to a 患者票: each change kept on the card (R05)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0021", "0018", None, None


def upgrade() -> None:
    op.add_column(
        "patient_cards",
        sa.Column("changes", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
    )


def downgrade() -> None:
    op.drop_column("patient_cards", "changes")
