"""Outbox parking: an event that failed to publish too often is set aside (parked_at) instead of jamming the relay.

A named revision, not the next number: branches adding their own next number meet as two heads, loudly.
"""

from tbms_core.migrations import add_outbox_parking, drop_outbox_parking

revision, down_revision, branch_labels, depends_on = "outbox_parking", "0005", None, None


def upgrade() -> None:
    add_outbox_parking()


def downgrade() -> None:
    drop_outbox_parking()
