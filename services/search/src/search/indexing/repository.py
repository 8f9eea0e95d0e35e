"""Every query of the indexing module; never commits."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# The row lock taken here serialises two deliveries of the same record until the transaction ends.
ADVANCE = text(
    "INSERT INTO indexed_versions (record_type, record_id, version, indexed_at) VALUES (:t, :i, :v, now()) "
    "ON CONFLICT (record_type, record_id) DO UPDATE SET version = excluded.version, indexed_at = now() "
    "WHERE indexed_versions.version < excluded.version RETURNING version"
)

# A rebuild re-applies the version already held; only a newer one (or a deletion's tombstone) stops it.
CATCH_UP = text(
    "INSERT INTO indexed_versions (record_type, record_id, version, indexed_at) VALUES (:t, :i, :v, now()) "
    "ON CONFLICT (record_type, record_id) DO UPDATE SET version = excluded.version, indexed_at = now() "
    "WHERE indexed_versions.version <= excluded.version RETURNING version"
)


class IndexedVersionRepository:
    """Reads and advances the ledger of indexed versions in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def advance(self, record_type: str, record_id: str, version: int) -> bool:
        """Records a newer version of a record; False when the same or a newer one was indexed before."""
        result = await self.session.execute(ADVANCE, {"t": record_type, "i": record_id, "v": version})
        return result.first() is not None

    async def catch_up(self, record_type: str, record_id: str, version: int) -> bool:
        """Records a rebuild of a record; False when a newer version or a deletion was recorded since."""
        result = await self.session.execute(CATCH_UP, {"t": record_type, "i": record_id, "v": version})
        return result.first() is not None

    async def ping(self) -> None:
        """Answers once the database does (the readiness check)."""
        await self.session.execute(text("SELECT 1"))

    async def count(self) -> int:
        """How many records were ever indexed (deleted ones included)."""
        return int((await self.session.execute(text("SELECT count(*) FROM indexed_versions"))).scalar_one())

    async def version_of(self, record_type: str, record_id: str) -> int | None:
        """The version last indexed of a record, if any."""
        result = await self.session.execute(
            text("SELECT version FROM indexed_versions WHERE record_type = :t AND record_id = :i"),
            {"t": record_type, "i": record_id},
        )
        return result.scalar_one_or_none()
