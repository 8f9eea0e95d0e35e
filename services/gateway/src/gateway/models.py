"""The gateway's own tables: the login sessions every gateway process shares (N13) and the texts administrators
edit (N25)."""

from __future__ import annotations

import sqlalchemy as sa
from tbms_core.db import Base

metadata = Base.metadata

# One row per browser session. `key` is an HMAC of the cookie value (a stolen table holds no usable id), `data` the
# session's content encrypted with a key derived from the session secret (tokens never lie in the clear), and
# `expires_at` when it times out at the latest if nobody uses it, so any process can purge it.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("authenticated", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.Float(), nullable=False),  # epoch seconds, like the session's own clock
    sa.Column("last_seen_at", sa.Float(), nullable=False),
    sa.Column("expires_at", sa.Float(), nullable=False),
    sa.Column("data", sa.LargeBinary(), nullable=False),
    sa.Index("ix_sessions_expires_at", "expires_at"),
    sa.Index("ix_sessions_anonymous_created", "authenticated", "created_at"),
)

# The texts administrators edit at /admin/help (N25): each save adds a version (who, when); the newest version of a
# slug is the text shown. (slug, version) is unique, so of two saves based on one version only the first is kept.
help_text_versions = sa.Table(
    "help_text_versions",
    metadata,
    sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
    sa.Column("slug", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("saved_by", sa.String(200), nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("slug", "version", name="uq_help_text_versions_slug_version"),
)
