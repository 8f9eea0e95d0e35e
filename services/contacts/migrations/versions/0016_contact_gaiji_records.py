"""contacts' copy of the 外字 master is named contact_gaiji_records: table names are unique across the services'
models (patients keeps its own gaiji_records), as contact_code_entries beside patients' code_entries."""

from alembic import op

revision, down_revision, branch_labels, depends_on = "0016", "0015", None, None


def upgrade() -> None:
    op.rename_table("gaiji_records", "contact_gaiji_records")
    op.execute("ALTER TABLE contact_gaiji_records RENAME CONSTRAINT pk_gaiji_records TO pk_contact_gaiji_records")


def downgrade() -> None:
    op.execute("ALTER TABLE contact_gaiji_records RENAME CONSTRAINT pk_contact_gaiji_records TO pk_gaiji_records")
    op.rename_table("contact_gaiji_records", "gaiji_records")
