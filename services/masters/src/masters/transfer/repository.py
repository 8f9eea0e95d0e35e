"""Every query of master imports; never commits."""

from __future__ import annotations

from sqlalchemy import select
from tbms_core.repository import Repository

from masters.transfer.errors import ImportNotFound
from masters.transfer.models import MasterImport


class ImportRepository(Repository[MasterImport]):
    """Stores uploaded files with their previews in the caller's unit of work."""

    model = MasterImport
    not_found = ImportNotFound

    async def locked(self, import_id: object) -> MasterImport:
        """The import, locked until the transaction ends, so two clicks on 反映 cannot both apply it."""
        found = await self.session.scalar(select(MasterImport).where(MasterImport.id == import_id).with_for_update())
        if found is None:
            raise ImportNotFound()
        return found
