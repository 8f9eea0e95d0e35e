"""The days confirmed as not taken, indexed apart: the cohort summary reads only them (interruptions, 脱落・中断)."""

from alembic import op

revision, down_revision, branch_labels, depends_on = "0018", "0020", None, None


def upgrade() -> None:
    op.create_index(
        "ix_dots_confirmations_missed",
        "dots_confirmations",
        ["patient_id", "confirmed_on"],
        postgresql_where="status = 'missed'",
    )


def downgrade() -> None:
    op.drop_index("ix_dots_confirmations_missed", table_name="dots_confirmations")
