"""An index for finding contacts by what their snapshot contains (F25: received on a day at a place; F05: exposed
to an index patient)."""

from alembic import op

revision, down_revision, branch_labels, depends_on = "0012", "0010", None, None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_contact_summaries_snapshot ON contact_summaries USING gin (snapshot jsonb_path_ops)"
    )


def downgrade() -> None:
    op.drop_index("ix_contact_summaries_snapshot", table_name="contact_summaries")
