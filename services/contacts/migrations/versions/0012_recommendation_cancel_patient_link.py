"""A 17条 勧告 can be cancelled (取消: the day, who, when and why, the row kept), and a contact names the registered
patient they are (a contact who fell ill and was handed over, or one who already was a patient); the patients are
looked up by birth date for the duplicate check at a contact's registration."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0012", "0011", None, None
UUID = postgresql.UUID(as_uuid=True)


def upgrade() -> None:
    for column in (
        sa.Column("cancelled_on", sa.Date()),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.Column("cancelled_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("cancelled_by_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("cancel_reason", sa.String(300), nullable=False, server_default=""),
    ):
        op.add_column("recommendations", column)
    op.add_column("contacts", sa.Column("patient_id", UUID))
    op.create_index("ix_contacts_patient_id", "contacts", ["patient_id"], postgresql_where="patient_id IS NOT NULL")
    op.create_index("ix_index_cases_birth_date", "index_cases", ["birth_date"])  # the duplicate check among patients


def downgrade() -> None:
    op.drop_index("ix_index_cases_birth_date", table_name="index_cases")
    op.drop_index("ix_contacts_patient_id", table_name="contacts")
    op.drop_column("contacts", "patient_id")
    for name in ("cancel_reason", "cancelled_by_name", "cancelled_by", "cancelled_at", "cancelled_on"):
        op.drop_column("recommendations", name)
