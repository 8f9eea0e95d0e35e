"""Every query of the package module; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from tbms_core.repository import Repository

from reports.document.models import Document
from reports.package.errors import PackageNotFound
from reports.package.models import DocumentPackage


class PackageRepository(Repository[DocumentPackage]):
    """Reads and writes package rows in the caller's unit of work."""

    model = DocumentPackage
    not_found = PackageNotFound

    async def documents(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Document]:
        """The documents of these ids that exist, by id."""
        rows = await self.session.scalars(select(Document).where(Document.id.in_(ids)))
        return {row.id: row for row in rows}
