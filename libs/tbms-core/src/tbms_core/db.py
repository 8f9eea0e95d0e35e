"""Database access: one async engine per service, one session per request or message, committed once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, Integer, MetaData, String, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from tbms_core.errors import VersionConflict

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every service's tables (each service migrates only its own)."""

    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    """A new random identifier for a record or an event."""
    return uuid.uuid4()


class Versioned:
    """Optimistic locking: every UPDATE checks and bumps `version`; who changed it last and when."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False, default="")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}  # type: ignore[attr-defined]

    def check_version(self, expected: int) -> None:
        """Refuses a change based on an older version than the stored one."""
        if self.version != expected:
            raise VersionConflict()


async def apply_snapshot(session: AsyncSession, model: type[Base], key: dict[str, Any], values: dict[str, Any]) -> bool:
    """Stores a read-model row from an event snapshot unless a newer version is held; safe under concurrency."""
    statement = pg_insert(model).values(**key, **values)
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_=values,
        where=model.__table__.c.version < statement.excluded.version,  # type: ignore[attr-defined]
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def flush_versioned(session: AsyncSession) -> None:
    """Writes pending changes now; a row somebody saved between our read and our write answers 409."""
    try:
        await session.flush()
    except StaleDataError as exc:
        raise VersionConflict() from exc


CommitHook = Callable[[AsyncSession], Awaitable[None]]


class Database:
    """The engine and session factory of one service."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.engine: AsyncEngine = create_async_engine(url, pool_size=pool_size, pool_pre_ping=True)
        # A session class of this database's own: ORM listeners a service attaches (e.g. which records a unit of
        # work touched) never see the sessions of another service running in the same process (tests).
        self.session_class: type[Session] = type("ServiceSession", (Session,), {})
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, sync_session_class=self.session_class)
        # Run at the end of every unit of work, before its commit and in its transaction (e.g. republishing the
        # deadlines of the records it changed): what they write commits or rolls back with the change.
        self.before_commit: list[CommitHook] = []

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits once at the end, rolls back on any error."""
        async with self.sessions() as session:
            try:
                yield session
                for hook in self.before_commit:
                    await hook(session)
                await session.commit()
            except StaleDataError as exc:
                await session.rollback()
                raise VersionConflict() from exc
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        """Closes every pooled connection."""
        await self.engine.dispose()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """FastAPI dependency: the request's unit of work."""
    db: Database = request.app.state.db
    async with db.session() as session:
        yield session


# Committed when the endpoint returns, before the response is sent: a client never holds a 201 (or a PDF) whose
# row or audit record was then rolled back, and a VersionConflict raised at commit reaches the client.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
