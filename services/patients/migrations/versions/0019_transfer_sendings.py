"""転出 sendings: what went to the new health centre, to whom, when, how, and how an encrypted file's key went."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0019", "0015", None, None


def upgrade() -> None:
    op.create_table(
        "transfer_sendings",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("transfer_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("patient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("documents", postgresql.JSONB(), nullable=False),
        sa.Column("other_documents", sa.String(300), nullable=False),
        sa.Column("recipient", sa.String(300), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("package_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("package_sha256", sa.String(64), nullable=False),
        sa.Column("key_channel", sa.String(20), nullable=False),
        sa.Column("key_sent_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("sent_by", sa.String(64), nullable=False),
        sa.Column("sent_by_name", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["transfer_id"], ["transfers.id"], name="fk_transfer_sendings_transfer_id_transfers"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_transfer_sendings_patient_id_patients"),
        sa.PrimaryKeyConstraint("id", name="pk_transfer_sendings"),
    )
    op.create_index("ix_transfer_sendings_transfer_id", "transfer_sendings", ["transfer_id"])


def downgrade() -> None:
    op.drop_index("ix_transfer_sendings_transfer_id", table_name="transfer_sendings")
    op.drop_table("transfer_sendings")
