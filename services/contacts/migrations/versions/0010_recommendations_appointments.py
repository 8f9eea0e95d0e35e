"""The 17条 勧告 of a contact, and the appointment and reception (受付) of a screening examination."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0010", "0009", None, None
UUID = postgresql.UUID(as_uuid=True)


def upgrade() -> None:
    op.create_table(
        "recommendations",
        sa.Column("id", UUID, nullable=False),
        sa.Column("contact_id", UUID, nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("delivery", sa.String(10), nullable=False),
        sa.Column("delivery_note", sa.String(100), nullable=False),
        sa.Column("exams", postgresql.ARRAY(sa.String(20)), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name="fk_recommendations_contact_id_contacts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recommendations"),
    )
    op.create_index("ix_recommendations_contact_id", "recommendations", ["contact_id"])
    for column in (
        sa.Column("appointment_on", sa.Date()),
        sa.Column("appointment_time", sa.Time()),
        sa.Column("appointment_place", sa.String(200), nullable=False, server_default=""),
        sa.Column("appointment_place_code", sa.String(10), nullable=False, server_default=""),
        sa.Column("received_at", sa.DateTime(timezone=True)),
        sa.Column("received_on", sa.Date()),
        sa.Column("reception_place", sa.String(200), nullable=False, server_default=""),
        sa.Column("receipt_no", sa.Integer()),
        sa.Column("received_by", sa.String(100), nullable=False, server_default=""),
    ):
        op.add_column("screening_exams", column)
    op.create_index(
        "ux_screening_exams_receipt",
        "screening_exams",
        ["received_on", "reception_place", "receipt_no"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ux_screening_exams_receipt", table_name="screening_exams")
    for name in (
        "received_by",
        "receipt_no",
        "reception_place",
        "received_on",
        "received_at",
        "appointment_place_code",
        "appointment_place",
        "appointment_time",
        "appointment_on",
    ):
        op.drop_column("screening_exams", name)
    op.drop_index("ix_recommendations_contact_id", table_name="recommendations")
    op.drop_table("recommendations")
