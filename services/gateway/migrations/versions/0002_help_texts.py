"""The texts administrators edit (help, notices, FAQ, planned stops) as versioned rows shared by every gateway
process, seeded with the texts in use: an administrator's edit kept on the host, else the shipped default."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision, down_revision, branch_labels, depends_on = "0002", "0001", None, None

SEEDED_BY = "移行（当初の文章）"


def _texts_in_use() -> dict[str, str]:
    """Each editable text as the gateway showed it before this migration."""
    from gateway.web.help_texts import EDITABLE, SHIPPED

    configured = os.environ.get("TBMS_GATEWAY_HELP_DIR", "")
    state = Path(os.environ.get("TBMS_STATE", "~/.local/state/tbms")).expanduser() / "gateway-help"
    edits = Path(configured) if configured else state
    found = {}
    for slug in EDITABLE:
        for folder in (edits, SHIPPED):
            path = folder / f"{slug}.md"
            if path.is_file():
                found[slug] = path.read_text(encoding="utf-8")
                break
    return found


def upgrade() -> None:
    table = op.create_table(
        "help_text_versions",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("slug", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(200), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_help_text_versions"),
        sa.UniqueConstraint("slug", "version", name="uq_help_text_versions_slug_version"),
    )
    now = datetime.now(UTC)
    rows = [
        {"slug": slug, "version": 1, "body": body, "saved_by": SEEDED_BY, "saved_at": now}
        for slug, body in _texts_in_use().items()
    ]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_table("help_text_versions")
