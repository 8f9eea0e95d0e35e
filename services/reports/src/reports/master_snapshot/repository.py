"""Every query of the master-data read model; never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts import masters
from tbms_core.db import apply_snapshot, utcnow
from tbms_core.gaiji_master import KIND as GAIJI
from tbms_core.gaiji_master import GaijiEntry, entry_from

from reports.master_snapshot.models import MasterSnapshot

LETTERHEAD_CODE = "self"  # masters' one letterhead row: this health center's own


class MasterSnapshotRepository:
    """Reads and upserts master records in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, snapshot: masters.MasterSnapshot, version: int) -> bool:
        """Stores a record's snapshot unless a newer or equal version is held; True when it was applied."""
        values = {
            "version": version,
            "name": snapshot.name,
            "kana": snapshot.kana,
            "data": snapshot.model_dump(mode="json")["data"],
            "valid_from": snapshot.valid_from,
            "valid_to": snapshot.valid_to,
            "applied_at": utcnow(),
        }
        key = {"kind": snapshot.kind, "code": snapshot.code}
        return await apply_snapshot(self.session, MasterSnapshot, key, values)

    async def find(self, kind: str, code: str) -> MasterSnapshot | None:
        """A record as last applied, ended or not (old documents print the name they had), or None."""
        return await self.session.get(MasterSnapshot, (kind, code), populate_existing=True)

    async def letterhead(self) -> MasterSnapshot | None:
        """This health center's own name, address, head and 問い合わせ先, or None before masters sent it."""
        return await self.find("letterhead", LETTERHEAD_CODE)

    async def institution(self, code: str) -> MasterSnapshot | None:
        """A medical institution by its 医療機関コード, or None when masters never sent it."""
        return await self.find("institution", code)

    async def code_labels(self) -> dict[str, dict[str, str]]:
        """The コード表 labels masters sent, per list: {"occupation": {code: label}} (ended codes too, for old
        records)."""
        labels: dict[str, dict[str, str]] = {}
        for row in await self.session.scalars(select(MasterSnapshot).where(MasterSnapshot.kind == "code")):
            name, value = str(row.data.get("list") or ""), str(row.data.get("value") or "")
            if name and value:
                labels.setdefault(name, {})[value] = str(row.data.get("label") or row.name)
        return labels

    async def gaiji_entries(self) -> list[GaijiEntry]:
        """The 外字 master's records masters sent, ended ones too (each knows the days it is in force)."""
        rows = await self.session.scalars(select(MasterSnapshot).where(MasterSnapshot.kind == GAIJI))
        entries = (entry_from(row.code, row.data, row.valid_from, row.valid_to, row.version) for row in rows)
        return [entry for entry in entries if entry is not None]
