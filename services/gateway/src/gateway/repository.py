"""The gateway's queries in its own PostgreSQL database: its login sessions (gateway.models.sessions) and the versions
of the texts administrators edit (gateway.models.help_text_versions)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.models import help_text_versions as versions
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


@dataclass(frozen=True)
class TextVersion:
    """One saved version of an editable text: its Markdown, who saved it and when (version 0: the shipped default)."""

    slug: str
    version: int
    body: str
    saved_by: str = ""
    saved_at: datetime | None = None


class StaleText(Exception):
    """Somebody saved the text after the version the edit started from; nothing was written."""

    def __init__(self, newer: TextVersion) -> None:
        super().__init__(newer.slug)
        self.newer = newer


# Called inside the save's transaction once the new version is written, before it is committed: an exception (the
# operation history could not record the edit) rolls the version back.
BeforeCommit = Callable[[TextVersion], Awaitable[None]]


class PostgresTexts:
    """The versions of the editable texts in the gateway's database, shared by every gateway process."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def current(self) -> dict[str, TextVersion]:
        """The newest version of every text that has one."""
        statement = select(versions).distinct(versions.c.slug).order_by(versions.c.slug, versions.c.version.desc())
        async with self.engine.connect() as connection:
            return {row.slug: _version(row) for row in await connection.execute(statement)}

    async def history(self, slug: str, limit: int = 20) -> list[TextVersion]:
        """A text's versions, newest first."""
        statement = select(versions).where(versions.c.slug == slug).order_by(versions.c.version.desc()).limit(limit)
        async with self.engine.connect() as connection:
            return [_version(row) for row in await connection.execute(statement)]

    async def version(self, slug: str, number: int) -> TextVersion | None:
        """One saved version of a text, None when it has no such version."""
        statement = select(versions).where(versions.c.slug == slug, versions.c.version == number)
        async with self.engine.connect() as connection:
            row = (await connection.execute(statement)).first()
        return _version(row) if row is not None else None

    async def save(self, new: TextVersion, before_commit: BeforeCommit) -> TextVersion:
        """Adds `new` (its version one past the version the edit started from); StaleText when that is not the
        newest any more (a concurrent save of the same version waits for the other and then fails on the unique
        (slug, version))."""
        values = {"slug": new.slug, "version": new.version, "body": new.body}
        values |= {"saved_by": new.saved_by, "saved_at": new.saved_at}
        newest = select(func.max(versions.c.version)).where(versions.c.slug == new.slug)
        try:
            async with self.engine.begin() as connection:
                if (await connection.scalar(newest) or 0) != new.version - 1:
                    raise _Stale()
                await connection.execute(insert(versions).values(**values))
                await before_commit(new)
        except (IntegrityError, _Stale):
            found = await self.history(new.slug, limit=1)
            raise StaleText(found[0] if found else TextVersion(new.slug, 0, "")) from None
        return new


class _Stale(Exception):
    pass


def _version(row: Any) -> TextVersion:
    return TextVersion(row.slug, row.version, row.body, row.saved_by, row.saved_at)
