"""The chain head and the purge checkpoint carry a keyed seal (HMAC), and the chain an id for its outside anchors."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision, down_revision, branch_labels, depends_on = "0007", "0006", None, None


def upgrade() -> None:
    op.add_column(
        "audit_chain_head",
        sa.Column("chain_id", UUID(as_uuid=True), nullable=False, server_default=sa.text("gen_random_uuid()")),
    )
    op.add_column("audit_chain_head", sa.Column("mac", sa.String(64)))
    op.add_column("audit_chain_checkpoint", sa.Column("mac", sa.String(64)))


def downgrade() -> None:
    op.drop_column("audit_chain_checkpoint", "mac")
    op.drop_column("audit_chain_head", "mac")
    op.drop_column("audit_chain_head", "chain_id")
