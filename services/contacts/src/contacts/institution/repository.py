"""Every query of the institution read model; never commits."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.masters import MasterSnapshot
from tbms_core.db import apply_snapshot, utcnow

from contacts.institution.models import Institution


class InstitutionRepository:
    """Reads and upserts institutions in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, snapshot: MasterSnapshot, version: int) -> bool:
        """Stores an institution's snapshot unless a newer or equal version is held; True when it was applied."""
        data = snapshot.data
        values = {
            "version": version,
            "name": snapshot.name,
            "kana": snapshot.kana,
            "address": data.get("address") or "",
            "phone": data.get("phone") or "",
            "type": data.get("type") or "",
            "designated": bool(data.get("designated")),
            "valid_from": snapshot.valid_from,
            "valid_to": snapshot.valid_to,
            "applied_at": utcnow(),
        }
        return await apply_snapshot(self.session, Institution, {"code": snapshot.code}, values)

    async def find(self, code: str) -> Institution | None:
        """An institution by its 医療機関コード as last applied, ended or not, or None."""
        return await self.session.get(Institution, code, populate_existing=True)

    async def names(self, codes: Collection[str]) -> dict[str, str]:
        """The names of these institutions by 医療機関コード (unknown codes left out)."""
        if not codes:
            return {}
        rows = await self.session.execute(select(Institution.code, Institution.name).where(Institution.code.in_(codes)))
        return {code: name for code, name in rows}
