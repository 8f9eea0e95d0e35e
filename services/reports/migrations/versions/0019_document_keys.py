"""Per-person data keys of stored files and the record of keys destroyed by an erasure (N17 crypto-shredding)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0019", "0018_approved_copy", None, None


def upgrade() -> None:
    op.create_table(
        "document_keys",
        sa.Column("person_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_document_keys"),
        sa.UniqueConstraint("key_id", name="uq_document_keys_key_id"),
    )
    op.create_table(
        "document_key_erasures",
        sa.Column("person_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_document_key_erasures"),
    )


def downgrade() -> None:
    op.drop_table("document_key_erasures")
    op.drop_table("document_keys")
