"""Attachments (資料) and their versions; form template versions (様式改正); batch print jobs; documents' data version."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0006", "0005", None, None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("owner_type", sa.String(20), nullable=False),
        sa.Column("owner_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("person_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("document_date", sa.Date()),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
        sa.Column("withdrawn_by", sa.String(64), nullable=False),
        sa.Column("withdrawn_reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_by_name", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
    )
    op.create_index("ix_attachments_owner", "attachments", ["owner_type", "owner_id", "created_at"])
    op.create_table(
        "attachment_files",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("attachment_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("object_key", sa.String(300), nullable=False),
        sa.Column("object_version_id", sa.String(100)),
        sa.Column("scanned_by", sa.String(40), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_by_name", sa.String(100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_attachment_files"),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachments.id"], name="fk_attachment_files_attachment_id"),
        sa.UniqueConstraint("attachment_id", "number", name="uq_attachment_files_attachment_id_number"),
        sa.UniqueConstraint("object_key", name="uq_attachment_files_object_key"),
    )


    op.create_table(
        "form_templates",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("form_id", sa.String(20), nullable=False),
        sa.Column("revision", sa.String(20), nullable=False),
        sa.Column("template_version", sa.String(40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("css", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_by_name", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_form_templates"),
        sa.UniqueConstraint("form_id", "effective_from", name="uq_form_templates_form_id_effective_from"),
    )
    op.create_table(
        "print_batches",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("genre", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("printed_for", sa.Date(), nullable=False),
        sa.Column("items", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("document_ids", postgresql.JSONB(), nullable=False),
        sa.Column("skipped", postgresql.JSONB(), nullable=False),
        sa.Column("object_key", sa.String(300)),
        sa.Column("object_version_id", sa.String(100)),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_by_username", sa.String(100), nullable=False),
        sa.Column("requested_by_name", sa.String(100), nullable=False),
        sa.Column("requested_roles", postgresql.JSONB(), nullable=False),
        sa.Column("requested_from", sa.String(64), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_print_batches"),
    )
    op.create_index("ix_print_batches_status_created_at", "print_batches", ["status", "created_at"])
    op.add_column("documents", sa.Column("data_version", sa.String(40), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("documents", "data_version")
    op.drop_table("form_templates")
    op.drop_index("ix_print_batches_status_created_at", table_name="print_batches")
    op.drop_table("print_batches")
    op.drop_table("attachment_files")
    op.drop_index("ix_attachments_owner", table_name="attachments")
    op.drop_table("attachments")
