"""Patient read model, documents, outbox and inbox."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from tbms_core.migrations import create_outbox_and_inbox, drop_outbox_and_inbox

revision, down_revision, branch_labels, depends_on = "0001", None, None, None


def upgrade() -> None:
    create_outbox_and_inbox()
    op.create_table(
        "patient_summaries",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("registration_no", sa.String(20), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_kana", sa.String(200), nullable=False),
        sa.Column("sex", sa.String(10), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("postal_code", sa.String(8), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("district", sa.String(20), nullable=False),
        sa.Column("nurse", sa.String(100), nullable=False),
        sa.Column("excluded_on", sa.Date()),
        sa.Column("source_updated_at", sa.DateTime(timezone=True)),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_patient_summaries"),
    )
    op.create_table(
        "documents",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("object_key", sa.String(300), nullable=False),
        sa.Column("version_id", sa.String(100)),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("template_version", sa.String(40), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_by_name", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("object_key", name="uq_documents_object_key"),
    )
    op.create_index("ix_documents_patient_id_created_at", "documents", ["patient_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_documents_patient_id_created_at", table_name="documents")
    op.drop_table("documents")
    op.drop_table("patient_summaries")
    drop_outbox_and_inbox()
