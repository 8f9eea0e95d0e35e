"""Outbox and inbox (with parking)."""

from tbms_core.migrations import add_outbox_parking, create_outbox_and_inbox, drop_outbox_and_inbox, drop_outbox_parking

revision, down_revision, branch_labels, depends_on = "0001", None, None, None


def upgrade() -> None:
    create_outbox_and_inbox()
    add_outbox_parking()


def downgrade() -> None:
    drop_outbox_parking()
    drop_outbox_and_inbox()
