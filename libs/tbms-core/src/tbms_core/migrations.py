"""Alembic helpers every service shares: the async env runner and the outbox/inbox tables."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy import MetaData, pool
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import async_engine_from_config


def run_env(metadata: MetaData, database_url: str) -> None:
    """Runs the migrations of one service against its own database (online, async)."""
    config = context.config
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if context.is_offline_mode():
        context.configure(url=database_url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(metadata))


async def _run_online(metadata: MetaData) -> None:
    engine = async_engine_from_config(
        context.config.get_section(context.config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    async with engine.connect() as connection:
        await connection.run_sync(_do_run, metadata)
    await engine.dispose()


# Replicas of a service start together and each upgrades its database first: the one that gets this lock migrates,
# the others wait for it and then find the schema at head (one database per service, so one key serves them all).
MIGRATION_LOCK = 7_245_001


def _do_run(connection: sa.Connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


def create_outbox_and_inbox() -> None:
    """Creates the outbox and inbox tables in a service's first migration."""
    op.create_table(
        "outbox",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("headers", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_pending", "outbox", ["created_at"], postgresql_where=sa.text("published_at IS NULL"))
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )


def drop_outbox_and_inbox() -> None:
    """Drops the outbox and inbox tables (downgrade of the first migration)."""
    op.drop_table("inbox")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")


def add_outbox_parking() -> None:
    """Adds `outbox.parked_at`: an event that failed to publish too often is set aside instead of jamming the relay."""
    op.add_column("outbox", sa.Column("parked_at", sa.DateTime(timezone=True)))
    op.create_index("ix_outbox_parked", "outbox", ["parked_at"], postgresql_where=sa.text("parked_at IS NOT NULL"))


def drop_outbox_parking() -> None:
    """Removes `outbox.parked_at` again."""
    op.drop_index("ix_outbox_parked", table_name="outbox")
    op.drop_column("outbox", "parked_at")
