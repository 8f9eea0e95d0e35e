"""Every query of the master-data read model; never commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.db import apply_snapshot, utcnow

from reports.master_snapshot.models import MasterSnapshot

LETTERHEAD_CODE = "self"  # masters' one letterhead row: this health center's own


class MasterSnapshotRepository:
    """Reads and upserts master records in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, kind: str, code: str, version: int, record: dict[str, Any]) -> bool:
        """Stores a record's snapshot unless a newer or equal version is held; True when it was applied."""
        values = {
            "version": version,
            "name": record["name"],
            "kana": record.get("kana") or "",
            "data": record.get("data") or {},
            "valid_from": _date(record.get("valid_from")),
            "valid_to": _date(record.get("valid_to")),
            "applied_at": utcnow(),
        }
        return await apply_snapshot(self.session, MasterSnapshot, {"kind": kind, "code": code}, values)

    async def find(self, kind: str, code: str) -> MasterSnapshot | None:
        """A record as last applied, ended or not (old documents print the name they had), or None."""
        return await self.session.get(MasterSnapshot, (kind, code), populate_existing=True)

    async def letterhead(self) -> MasterSnapshot | None:
        """This health center's own name, address, head and 問い合わせ先, or None before masters sent it."""
        return await self.find("letterhead", LETTERHEAD_CODE)

    async def institution(self, code: str) -> MasterSnapshot | None:
        """A medical institution by its 医療機関コード, or None when masters never sent it."""
        return await self.find("institution", code)


def _date(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else value or None
