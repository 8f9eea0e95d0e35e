"""Districts (seeded with the five Setagaya districts), outbox and inbox."""

import sqlalchemy as sa
from alembic import op
from tbms_core.migrations import create_outbox_and_inbox, drop_outbox_and_inbox

revision, down_revision, branch_labels, depends_on = "0001", None, None, None

DISTRICTS = [("setagaya", "世田谷", 1), ("kitazawa", "北沢", 2), ("tamagawa", "玉川", 3), ("kinuta", "砧", 4),
             ("karasuyama", "烏山", 5)]


def upgrade() -> None:
    create_outbox_and_inbox()
    table = op.create_table(
        "districts",
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_districts"),
    )
    op.bulk_insert(table, [{"code": c, "name": n, "sort_order": o} for c, n, o in DISTRICTS])


def downgrade() -> None:
    op.drop_table("districts")
    drop_outbox_and_inbox()
