"""Master imports: each uploaded file's original bytes and its preview (rows as JSON), previewed or applied."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision, down_revision, branch_labels, depends_on = "0003", "0002", None, None


def upgrade() -> None:
    op.create_table(
        "master_imports",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),  # the file exactly as uploaded
        sa.Column("rows", postgresql.JSONB(), nullable=False),
        sa.Column("counts", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, server_default="previewed"),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("applied_by", sa.String(64)),
        sa.Column("applied_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_master_imports"),
        sa.CheckConstraint("status IN ('previewed', 'applied')", name="ck_master_imports_status"),
    )
    op.create_index("ix_master_imports_kind_created_at", "master_imports", ["kind", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_master_imports_kind_created_at", table_name="master_imports")
    op.drop_table("master_imports")
