"""The queries of the contacts' deadline publisher: the contacts to compute, who answers for them, and those not
yet computed on a day."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.deadlines import PublishedDeadlines

from contacts.contact.models import Contact, ContactLink
from contacts.index_case.models import IndexCase
from contacts.request.models import MunicipalRequest
from contacts.request.schemas import OPEN_STATUSES

AGGREGATE = "contact"
REQUEST_AGGREGATE = "request"


class ContactDeadlineRepository:
    """Reads contacts for their deadlines; never writes."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def contacts(self, ids: Sequence[str]) -> list[Contact]:
        """The contacts of these ids that exist, with their exposures."""
        rows = await self.session.scalars(select(Contact).where(Contact.id.in_([uuid.UUID(i) for i in ids])))
        return list(rows)

    async def owners(self, patient_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
        """Each index patient's district (team) and nurse, as the patients service last published them."""
        if not patient_ids:
            return {}
        rows = await self.session.execute(
            select(IndexCase.patient_id, IndexCase.district, IndexCase.nurse).where(
                IndexCase.patient_id.in_(patient_ids)
            )
        )
        return {patient_id: (district, nurse) for patient_id, district, nurse in rows}

    async def of_index(self, patient_id: uuid.UUID) -> list[uuid.UUID]:
        """The contacts exposed to one index patient."""
        rows = await self.session.scalars(
            select(ContactLink.contact_id).where(ContactLink.index_patient_id == patient_id)
        )
        return list(rows)

    async def not_computed_on(self, day: date, limit: int) -> list[str]:
        """Contacts whose deadlines were never computed or last computed before `day`; an ended contact only while
        deadlines of theirs are still published."""
        published = and_(
            PublishedDeadlines.aggregate == AGGREGATE, PublishedDeadlines.record_id == cast(Contact.id, String)
        )
        query = (
            select(Contact.id)
            .outerjoin(PublishedDeadlines, published)
            .where(or_(PublishedDeadlines.computed_on.is_(None), PublishedDeadlines.computed_on < day))
            .where(or_(Contact.status == "active", func.jsonb_array_length(PublishedDeadlines.deadlines) > 0))
            .order_by(Contact.id)
            .limit(limit)
        )
        return [str(row) for row in await self.session.scalars(query)]


class RequestDeadlineRepository:
    """Reads requests to other health centres for their reply-by deadlines; never writes."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def requests(self, ids: Sequence[str]) -> list[MunicipalRequest]:
        """The requests of these ids that exist."""
        rows = await self.session.scalars(
            select(MunicipalRequest).where(MunicipalRequest.id.in_([uuid.UUID(i) for i in ids]))
        )
        return list(rows)

    async def of_index(self, patient_id: uuid.UUID) -> list[uuid.UUID]:
        """The requests about one index patient."""
        rows = await self.session.scalars(
            select(MunicipalRequest.id).where(MunicipalRequest.index_patient_id == patient_id)
        )
        return list(rows)

    async def not_computed_on(self, day: date, limit: int) -> list[str]:
        """Requests whose deadlines were never computed or last computed before `day`; a closed request only while
        deadlines of theirs are still published."""
        published = and_(
            PublishedDeadlines.aggregate == REQUEST_AGGREGATE,
            PublishedDeadlines.record_id == cast(MunicipalRequest.id, String),
        )
        query = (
            select(MunicipalRequest.id)
            .outerjoin(PublishedDeadlines, published)
            .where(or_(PublishedDeadlines.computed_on.is_(None), PublishedDeadlines.computed_on < day))
            .where(
                or_(
                    MunicipalRequest.status.in_(OPEN_STATUSES),
                    func.jsonb_array_length(PublishedDeadlines.deadlines) > 0,
                )
            )
            .order_by(MunicipalRequest.id)
            .limit(limit)
        )
        return [str(row) for row in await self.session.scalars(query)]
