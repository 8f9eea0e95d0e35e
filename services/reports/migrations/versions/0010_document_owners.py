"""Printed forms are filed with the record they are about (patient, contact, request, 診査会 session), as
attachments are keyed: documents get owner_type and owner_id, and patient_id is empty for a form about no patient."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0010", "0009", None, None


def upgrade() -> None:
    op.add_column("documents", sa.Column("owner_type", sa.String(20), nullable=False, server_default="patient"))
    op.add_column("documents", sa.Column("owner_id", postgresql.UUID(as_uuid=True)))
    op.execute("UPDATE documents SET owner_id = patient_id")
    op.alter_column("documents", "owner_id", nullable=False)
    op.alter_column("documents", "owner_type", server_default=None)
    op.alter_column("documents", "patient_id", nullable=True)
    op.create_index("ix_documents_owner", "documents", ["owner_type", "owner_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_documents_owner", table_name="documents")
    # the older schema has no place for a form about no patient (a letter, a session's labels): their entries go,
    # their PDFs stay in the document store
    op.execute("DELETE FROM documents WHERE patient_id IS NULL")
    op.alter_column("documents", "patient_id", nullable=False)
    op.drop_column("documents", "owner_id")
    op.drop_column("documents", "owner_type")
