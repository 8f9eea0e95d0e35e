"""Every query of the edit history; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from tbms_core.repository import Repository

from contacts.history.models import ContactVersion


class ContactVersionRepository(Repository[ContactVersion]):
    """Reads and writes version rows in the caller's unit of work."""

    model = ContactVersion

    async def of_contact(self, contact_id: uuid.UUID) -> list[ContactVersion]:
        """Every saved change about a contact, newest first."""
        rows = await self.session.scalars(
            select(ContactVersion)
            .where(ContactVersion.contact_id == contact_id)
            .order_by(ContactVersion.changed_at.desc(), ContactVersion.version.desc())
        )
        return list(rows)
