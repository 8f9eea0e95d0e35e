"""Outbox parking: an event that failed to publish too often is set aside (parked_at) instead of jamming the relay."""

from tbms_core.migrations import add_outbox_parking, drop_outbox_parking

revision, down_revision, branch_labels, depends_on = "0003", "0002", None, None


def upgrade() -> None:
    add_outbox_parking()


def downgrade() -> None:
    drop_outbox_parking()
