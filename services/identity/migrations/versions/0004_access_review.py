"""Access review (N21): findings of the unusual-access rules, their review marks, protected people, progress."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0004", "0003", None, None


def upgrade() -> None:
    op.create_table(
        "access_findings",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("person_id", sa.Text()),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("access_count", sa.Integer(), nullable=False),
        sa.Column("evidence", postgresql.JSONB(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.Text()),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_findings"),
        sa.UniqueConstraint("rule", "key", name="uq_access_findings_rule_key"),
    )
    op.create_index("ix_access_findings_day", "access_findings", ["day"])
    op.create_index("ix_access_findings_status", "access_findings", ["status", "day"])
    op.create_table(
        "access_review_marks",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("finding_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_review_marks"),
    )
    op.create_index("ix_access_review_marks_finding", "access_review_marks", ["finding_id", "marked_at"])
    op.create_table(
        "protected_persons",
        sa.Column("person_id", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_by", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_protected_persons"),
    )
    progress = op.create_table(
        "access_review_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analysed_seq", sa.BigInteger(), nullable=False),
        sa.Column("analysed_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_access_review_progress"),
        sa.CheckConstraint("id = 1", name="ck_access_review_progress_single_row"),
    )
    op.bulk_insert(progress, [{"id": 1, "analysed_seq": 0}])


def downgrade() -> None:
    op.drop_table("access_review_progress")
    op.drop_table("protected_persons")
    op.drop_index("ix_access_review_marks_finding", table_name="access_review_marks")
    op.drop_table("access_review_marks")
    op.drop_index("ix_access_findings_status", table_name="access_findings")
    op.drop_index("ix_access_findings_day", table_name="access_findings")
    op.drop_table("access_findings")
