"""Requests to and from other municipalities (依頼・回答) with their contacts, encrypted packages and sendings (R14,
N32); external index cases (the sender's case of a request received); group contacts with their members and imports.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0007", "0006", None, None

UUID = postgresql.UUID(as_uuid=True)


def _versioned() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_by", sa.String(64), nullable=False),
    ]


def upgrade() -> None:
    op.alter_column("index_cases", "birth_date", nullable=True)
    op.add_column("index_cases", sa.Column("external_from", sa.String(200), server_default="", nullable=False))
    op.create_table(
        "municipal_requests",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("counterpart_code", sa.String(10), nullable=False),
        sa.Column("counterpart_name", sa.String(200), nullable=False),
        sa.Column("counterpart_section", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("reply_by", sa.Date()),
        sa.Column("index_patient_id", UUID, nullable=False),
        sa.Column("index_infectiousness", sa.String(10), nullable=False),
        sa.Column("index_diagnosed_on", sa.Date()),
        sa.Column("index_infectious_from", sa.Date()),
        sa.Column("index_infectious_until", sa.Date()),
        sa.Column("index_summary", sa.String(1000), nullable=False),
        sa.Column("attachments", postgresql.JSONB(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("sent_on", sa.Date()),
        sa.Column("acknowledged_on", sa.Date()),
        sa.Column("replied_on", sa.Date()),
        sa.Column("reply_document", sa.String(300), nullable=False),
        sa.Column("reply_note", sa.Text(), nullable=False),
        sa.Column("withdrawn_on", sa.Date()),
        sa.Column("withdraw_reason", sa.String(300), nullable=False),
        *_versioned(),
    )
    op.create_index("ix_municipal_requests_status_reply_by", "municipal_requests", ["status", "reply_by"])
    op.create_table(
        "municipal_request_contacts",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("request_id", UUID, sa.ForeignKey("municipal_requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("contact_id", UUID, sa.ForeignKey("contacts.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("recommended", sa.String(300), nullable=False),
        sa.Column("reply_note", sa.String(1000), nullable=False),
    )
    op.create_index("ix_municipal_request_contacts_contact_id", "municipal_request_contacts", ["contact_id"])
    op.create_index(
        "uq_municipal_request_contacts", "municipal_request_contacts", ["request_id", "contact_id"], unique=True
    )
    op.create_table(
        "municipal_request_packages",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("request_id", UUID, sa.ForeignKey("municipal_requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_municipal_request_packages_request_id", "municipal_request_packages", ["request_id"])
    op.create_table(
        "municipal_sendings",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("request_id", UUID, sa.ForeignKey("municipal_requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("what", sa.String(20), nullable=False),
        sa.Column("documents", sa.String(500), nullable=False),
        sa.Column("recipient", sa.String(300), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("package_id", UUID),
        sa.Column("package_sha256", sa.String(64), nullable=False),
        sa.Column("key_channel", sa.String(20), nullable=False),
        sa.Column("key_sent_on", sa.Date()),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("sent_by", sa.String(64), nullable=False),
        sa.Column("sent_by_name", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_municipal_sendings_request_id", "municipal_sendings", ["request_id"])
    _groups()


def _groups() -> None:
    op.create_table(
        "contact_groups",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("index_patient_id", UUID, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("setting", sa.String(20), nullable=False),
        sa.Column("place", sa.String(300), nullable=False),
        sa.Column("first_contact_on", sa.Date()),
        sa.Column("last_contact_on", sa.Date()),
        sa.Column("hours", sa.Float()),
        sa.Column("closed_room", sa.Boolean(), nullable=False),
        sa.Column("poor_ventilation", sa.Boolean(), nullable=False),
        sa.Column("infectiousness", sa.String(10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_versioned(),
    )
    op.create_index("ix_contact_groups_index_patient_id", "contact_groups", ["index_patient_id"])
    op.create_table(
        "contact_group_members",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("group_id", UUID, sa.ForeignKey("contact_groups.id", ondelete="CASCADE"), nullable=False),
        sa.Column("contact_id", UUID, sa.ForeignKey("contacts.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("uq_contact_group_members", "contact_group_members", ["group_id", "contact_id"], unique=True)
    op.create_index("ix_contact_group_members_contact_id", "contact_group_members", ["contact_id"])
    op.create_table(
        "contact_group_imports",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("group_id", UUID, sa.ForeignKey("contact_groups.id", ondelete="CASCADE"), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("encoding", sa.String(10), nullable=False),
        sa.Column("rows", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_by", sa.String(64), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_contact_group_imports_group_id", "contact_group_imports", ["group_id"])


def downgrade() -> None:
    op.drop_table("contact_group_imports")
    op.drop_table("contact_group_members")
    op.drop_table("contact_groups")
    op.drop_table("municipal_sendings")
    op.drop_table("municipal_request_packages")
    op.drop_table("municipal_request_contacts")
    op.drop_table("municipal_requests")
    op.execute("DELETE FROM index_cases WHERE birth_date IS NULL")  # external index cases cannot be kept
    op.drop_column("index_cases", "external_from")
    op.alter_column("index_cases", "birth_date", nullable=False)
