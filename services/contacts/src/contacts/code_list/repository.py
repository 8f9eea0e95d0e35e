"""Every query of the code-list read model; never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.db import apply_snapshot, utcnow

from contacts.code_list.models import CodeEntry


class CodeEntryRepository:
    """Reads and upserts code-list entries in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, values: dict[str, object], version: int) -> bool:
        """Stores one code unless a newer or equal version is held; True when it was applied."""
        key = {"list": values.pop("list"), "value": values.pop("value")}
        return await apply_snapshot(self.session, CodeEntry, key, values | {"version": version, "applied_at": utcnow()})

    async def every(self) -> list[CodeEntry]:
        """Every code masters has sent, ended ones too."""
        return list(await self.session.scalars(select(CodeEntry)))
