"""Keeping the edit history: a version row in the change's own transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.auth import Principal
from tbms_core.changes import Changes

from contacts.history.models import ContactVersion
from contacts.history.repository import ContactVersionRepository


class HistoryService:
    """Keeps who changed what, from what to what and why, in the caller's transaction."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.versions = ContactVersionRepository(session)

    async def record(
        self,
        *,
        contact_id: uuid.UUID,
        record_type: str,
        record_id: uuid.UUID,
        version: int,
        changes: Changes,
        reason: str,
    ) -> None:
        """Stores one version row."""
        await self.versions.add(
            ContactVersion(
                contact_id=contact_id,
                record_type=record_type,
                record_id=record_id,
                version=version,
                changed_by=self.principal.user_id,
                changed_by_name=self.principal.display_name or self.principal.username,
                reason=reason,
                changes=changes,
            )
        )

    async def timeline(self, contact_id: uuid.UUID) -> list[ContactVersion]:
        """Every saved change about a contact, newest first."""
        return await self.versions.of_contact(contact_id)
