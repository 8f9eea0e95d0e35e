"""Every query of the document module; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from tbms_core.repository import Repository

from reports.document.errors import DocumentNotFound
from reports.document.models import Document


class DocumentRepository(Repository[Document]):
    """Reads and writes document metadata in the caller's unit of work."""

    model = Document
    not_found = DocumentNotFound

    async def page_of_patient(self, patient_id: uuid.UUID, *, limit: int, offset: int) -> tuple[list[Document], int]:
        """A patient's documents newest first, and how many there are."""
        where = Document.patient_id == patient_id
        rows = await self.session.scalars(
            select(Document).where(where).order_by(Document.created_at.desc()).limit(limit).offset(offset)
        )
        total = await self.session.scalar(select(func.count()).select_from(Document).where(where))
        return list(rows), int(total or 0)

    async def page_of_owner(
        self, owner_type: str, owner_id: uuid.UUID, *, limit: int, offset: int
    ) -> tuple[list[Document], int]:
        """The documents filed with a record newest first, and how many there are."""
        where = (Document.owner_type == owner_type) & (Document.owner_id == owner_id)
        rows = await self.session.scalars(
            select(Document).where(where).order_by(Document.created_at.desc()).limit(limit).offset(offset)
        )
        total = await self.session.scalar(select(func.count()).select_from(Document).where(where))
        return list(rows), int(total or 0)
