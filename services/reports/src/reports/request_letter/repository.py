"""Every query of the request read model; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.contacts import ContactSnapshot, RequestSnapshot
from tbms_core.db import utcnow

from reports.request_letter.models import ContactSummary, RequestSummary


class RequestSummaryRepository:
    """Reads and upserts request summaries in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, snapshot: RequestSnapshot) -> bool:
        """Stores a snapshot unless a newer or equal version is held; True when it was applied."""
        values = {"version": snapshot.version, "snapshot": snapshot.model_dump(mode="json"), "applied_at": utcnow()}
        statement = insert(RequestSummary).values(id=uuid.UUID(snapshot.id), **values)
        statement = statement.on_conflict_do_update(
            index_elements=[RequestSummary.id],
            set_={name: statement.excluded[name] for name in values},
            where=RequestSummary.version < statement.excluded.version,
        ).returning(RequestSummary.id)
        applied = (await self.session.execute(statement)).first() is not None
        self.session.expire_all()
        return applied

    async def find(self, request_id: uuid.UUID) -> RequestSummary | None:
        """The request as last applied, or None."""
        return await self.session.get(RequestSummary, request_id)


class ContactSummaryRepository:
    """Reads and upserts contact summaries in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, snapshot: ContactSnapshot, version: int) -> bool:
        """Stores a snapshot unless a newer or equal version is held; True when it was applied."""
        values = {"version": version, "snapshot": snapshot.model_dump(mode="json"), "applied_at": utcnow()}
        statement = insert(ContactSummary).values(id=uuid.UUID(snapshot.id), **values)
        statement = statement.on_conflict_do_update(
            index_elements=[ContactSummary.id],
            set_={name: statement.excluded[name] for name in values},
            where=ContactSummary.version < statement.excluded.version,
        ).returning(ContactSummary.id)
        applied = (await self.session.execute(statement)).first() is not None
        self.session.expire_all()
        return applied

    async def find(self, contact_id: uuid.UUID) -> ContactSummary | None:
        """The contact as last applied, or None."""
        return await self.session.get(ContactSummary, contact_id)
