"""Every query of the attachment module; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from tbms_core.repository import Repository

from reports.attachment.errors import AttachmentNotFound
from reports.attachment.models import Attachment, AttachmentFile


class AttachmentRepository(Repository[Attachment]):
    """Reads and writes attachments and their file versions in the caller's unit of work."""

    model = Attachment
    not_found = AttachmentNotFound

    async def page_of_owner(
        self, owner_type: str, owner_id: uuid.UUID, *, withdrawn: bool, limit: int, offset: int
    ) -> tuple[list[Attachment], int]:
        """A record's attachments newest first (withdrawn ones only when asked), and how many there are."""
        where = [Attachment.owner_type == owner_type, Attachment.owner_id == owner_id]
        if not withdrawn:
            where.append(Attachment.withdrawn_at.is_(None))
        rows = await self.session.scalars(
            select(Attachment).where(*where).order_by(Attachment.created_at.desc()).limit(limit).offset(offset)
        )
        total = await self.session.scalar(select(func.count()).select_from(Attachment).where(*where))
        return list(rows), int(total or 0)

    async def add_file(self, file: AttachmentFile) -> AttachmentFile:
        """Stores a new version of an attachment's file."""
        self.session.add(file)
        await self.session.flush()
        return file
