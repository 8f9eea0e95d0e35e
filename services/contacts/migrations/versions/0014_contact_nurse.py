"""A contact has its own 担当保健師 (user name): proposed by the address from masters' staff assignment at
registration, shown and corrected on the contact page, kept in the history; "" leaves the index patient's nurse."""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0014", "0013", None, None


def upgrade() -> None:
    op.add_column("contacts", sa.Column("nurse", sa.String(100), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("contacts", "nurse")
