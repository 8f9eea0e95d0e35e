"""Encrypted packages of a patient's documents made for sending (N32): the ciphertext's place in the store and what
it holds; never its key."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0017", "0015", None, None


def upgrade() -> None:
    op.create_table(
        "document_packages",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("document_ids", postgresql.JSONB(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("object_key", sa.String(300), nullable=False),
        sa.Column("version_id", sa.String(100), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("made_by", sa.String(64), nullable=False),
        sa.Column("made_by_name", sa.String(100), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_document_packages"),
        sa.UniqueConstraint("object_key", name="uq_document_packages_object_key"),
    )
    op.create_index("ix_document_packages_patient_id_made_at", "document_packages", ["patient_id", "made_at"])


def downgrade() -> None:
    op.drop_index("ix_document_packages_patient_id_made_at", table_name="document_packages")
    op.drop_table("document_packages")
