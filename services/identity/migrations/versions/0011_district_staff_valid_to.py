"""The last day of a 担当保健師 assignment, so the access-rights review lists accounts whose assignments all ended
(N21), also when masters ended one ahead of time."""

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0011", "0010", None, None


def upgrade() -> None:
    op.add_column("district_staff", sa.Column("valid_to", sa.Date()))


def downgrade() -> None:
    op.drop_column("district_staff", "valid_to")
