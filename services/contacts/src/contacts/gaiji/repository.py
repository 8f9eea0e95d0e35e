"""Every query of the 外字 read model; never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.db import apply_snapshot, utcnow
from tbms_core.gaiji_master import GaijiEntry

from contacts.gaiji.models import GaijiRecord


class GaijiRepository:
    """Reads and upserts the 外字 records in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, entry: GaijiEntry) -> bool:
        """Stores one record unless a newer or equal version is held; True when it was applied."""
        values = {
            "character": entry.character,
            "substitute": entry.substitute,
            "valid_from": entry.valid_from,
            "valid_to": entry.valid_to,
            "version": entry.version,
            "applied_at": utcnow(),
        }
        return await apply_snapshot(self.session, GaijiRecord, {"code": entry.code}, values)

    async def every(self) -> list[GaijiEntry]:
        """Every record masters has sent, ended ones too."""
        rows = await self.session.scalars(select(GaijiRecord))
        return [GaijiEntry(r.code, r.character, r.substitute, r.valid_from, r.valid_to, r.version) for r in rows]
