"""The gateway's queries: its login sessions in its own PostgreSQL database (gateway.models.sessions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.models import sessions as table


@dataclass(frozen=True)
class RowTimes:
    """What the store may see of a session without decrypting it: whether logged in, and its times."""

    authenticated: bool
    created: float
    last_seen: float
    expires_at: float


class PostgresBackend:
    """Sessions in the gateway's own PostgreSQL database, shared by every gateway process (table `sessions`)."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.engine: AsyncEngine = create_async_engine(url, pool_size=pool_size, pool_pre_ping=True)

    async def load(self, key: str) -> bytes | None:
        """The stored blob, or None."""
        async with self.engine.connect() as connection:
            return await connection.scalar(select(table.c.data).where(table.c.key == key))

    async def insert(self, key: str, data: bytes, row: RowTimes) -> None:
        """Stores a new session."""
        async with self.engine.begin() as connection:
            await connection.execute(insert(table).values(key=key, data=data, **_columns(row)))

    async def update(self, key: str, data: bytes, row: RowTimes) -> None:
        """Replaces a session's blob; an UPDATE, so a session deleted meanwhile (logout) stays deleted."""
        async with self.engine.begin() as connection:
            await connection.execute(update(table).where(table.c.key == key).values(data=data, **_columns(row)))

    async def delete(self, key: str) -> bytes | None:
        """Removes a session, returning its blob to the one caller that removed it."""
        async with self.engine.begin() as connection:
            return await connection.scalar(delete(table).where(table.c.key == key).returning(table.c.data))

    async def delete_expired(self, now: float) -> list[tuple[str, bytes]]:
        """Removes the sessions past their end (whichever gateway process gets there first)."""
        statement = delete(table).where(table.c.expires_at < now).returning(table.c.key, table.c.data)
        async with self.engine.begin() as connection:
            return [(row.key, row.data) for row in await connection.execute(statement)]

    async def trim_anonymous(self, keep: int) -> None:
        """Forgets the oldest sessions without a login beyond the newest `keep`."""
        newest = (
            select(table.c.key).where(table.c.authenticated.is_(False)).order_by(table.c.created_at.desc()).offset(keep)
        )
        async with self.engine.begin() as connection:
            await connection.execute(delete(table).where(table.c.key.in_(newest.scalar_subquery())))

    async def count(self) -> int:
        """How many sessions are stored."""
        async with self.engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(table)) or 0)

    async def close(self) -> None:
        """Closes the pooled connections."""
        await self.engine.dispose()


def _columns(row: RowTimes) -> dict[str, Any]:
    return {
        "authenticated": row.authenticated,
        "created_at": row.created,
        "last_seen_at": row.last_seen,
        "expires_at": row.expires_at,
    }
