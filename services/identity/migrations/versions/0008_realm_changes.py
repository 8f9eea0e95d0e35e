"""Change log (N28): the Keycloak realm's admin events, copied with the names of the fields changed only."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0008", "0007", None, None


def upgrade() -> None:
    op.create_table(
        "realm_changes",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("resource_type", sa.Text(), nullable=False),
        sa.Column("resource_path", sa.Text(), nullable=False),
        sa.Column("admin_user_id", sa.Text(), nullable=False),
        sa.Column("admin_username", sa.Text(), nullable=False),
        sa.Column("ip_address", sa.Text(), nullable=False),
        sa.Column("fields", postgresql.JSONB(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("copied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_realm_changes"),
    )
    op.create_index("ix_realm_changes_time", "realm_changes", ["time"])


def downgrade() -> None:
    op.drop_index("ix_realm_changes_time", table_name="realm_changes")
    op.drop_table("realm_changes")
