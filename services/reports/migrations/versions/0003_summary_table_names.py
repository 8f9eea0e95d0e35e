"""Read-model tables named *_summaries like patient_summaries, so no name is shared with an owning service's tables
(every service's models share one SQLAlchemy metadata when the whole test suite runs in one process)."""

from alembic import op

revision, down_revision, branch_labels, depends_on = "0003", "0002", None, None
RENAMES = {
    "lab_results": ("lab_result_summaries", "patient_id_collected_on"),
    "care_records": ("care_record_summaries", "patient_id_kind"),
}


def upgrade() -> None:
    for old, (new, index) in RENAMES.items():
        op.rename_table(old, new)
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{old} TO pk_{new}")
        op.execute(f"ALTER INDEX ix_{old}_{index} RENAME TO ix_{new}_{index}")


def downgrade() -> None:
    for old, (new, index) in RENAMES.items():
        op.execute(f"ALTER INDEX ix_{new}_{index} RENAME TO ix_{old}_{index}")
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{new} TO pk_{old}")
        op.rename_table(new, old)
